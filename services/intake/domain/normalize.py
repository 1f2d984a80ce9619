"""A record (canonical field names -> raw values) to the normalized RecordReceived shape, or
the first Problem found, in field order. Also maps JSON keys (aliases allowed) to fields.

Places given by name (北京市朝阳区, 大阁镇, 北关村) are resolved to codes through ``Places``; an
origin that is a country fills ``origin_country`` instead of the origin area.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from contracts.values import InvalidValue
from services.intake.domain import problems as p
from services.intake.domain.aliases import field_for
from services.intake.domain.convert import convert, is_empty
from services.intake.domain.countries import find_country
from services.intake.domain.fields import Kind, field_names, specs_for
from services.intake.domain.ids import derived_source_id
from services.intake.domain.places import Places, looks_like_name
from services.intake.domain.problems import FieldError, Problem

CLOCK_SKEW = timedelta(minutes=5)
"""How far ahead of intake's clock a time may be (the sender's clock may run ahead)."""
# Digits of each level's code: a county code in the township column is a mistake, not a town.
_LEVEL_DIGITS = {"current_county_code": (6, "county"), "current_township_code": (9, "township"),
                 "current_village_code": (12, "village")}
_NOT_IN_FUTURE = ("departed_at", "arrived_at", "reported_at", "last_contact_at")


@dataclass(frozen=True, slots=True)
class Normalized:
    """A valid record: ``shape`` is RecordReceived minus record id, received_at, person key."""

    source_record_id: str
    source_id_derived: bool
    id_type: str
    id_number: str
    shape: dict[str, Any]


def map_keys(feed: str, record: Mapping[str, object]) -> dict[str, object] | Problem:
    """JSON keys (canonical, camelCase or Chinese column names) to canonical field names."""
    allowed = field_names(feed)
    out: dict[str, object] = {}
    for key, value in record.items():
        field = key if key in allowed else field_for(key)
        if key == "feed" and field is None:
            if value != feed:
                return Problem(p.INVALID_VALUE, "feed", f"record is for feed {value!r}, "
                               f"pushed to {feed!r}")
            continue
        if field is None or field not in allowed:
            return Problem(p.UNKNOWN_FIELD, str(key), f"unknown field {key!r} for the {feed} feed")
        before = out.get(field)
        if not is_empty(before) and not is_empty(value) and before != value:
            return Problem(p.INVALID_VALUE, field, f"{field} is given twice, with different values")
        if is_empty(before):
            out[field] = value
    return out


def _level(values: dict[str, object]) -> None:
    """County 6 digits, township 9, village 12 (the trailing zeros of a longer form dropped)."""
    for name, (digits, level) in _LEVEL_DIGITS.items():
        code = values.get(name)
        if not isinstance(code, str):
            continue
        trimmed = code
        while len(trimmed) > digits and trimmed.endswith("000"):
            trimmed = trimmed[:-3]
        if len(trimmed) != digits:
            raise FieldError(p.INVALID_AREA_CODE, name, f"{code} is not a {level} code: a "
                             f"{level} code has {digits} digits")
        values[name] = trimmed


def _current_county(values: dict[str, object], default_county: str | None) -> None:
    """County from the township/village code (its first 6 digits) or the configured county."""
    _level(values)
    county = values.get("current_county_code")
    for name in ("current_township_code", "current_village_code"):
        code = values.get(name)
        if not isinstance(code, str):
            continue
        if county is None:
            county = values["current_county_code"] = code[:6]
        elif not code.startswith(str(county)):
            raise FieldError(p.INVALID_AREA_CODE, name, f"{code} is not in county {county}")
    township, village = values.get("current_township_code"), values.get("current_village_code")
    if isinstance(township, str) and isinstance(village, str) and not village.startswith(
            township):
        raise FieldError(p.INVALID_AREA_CODE, "current_village_code",
                         f"{village} is not in township {township}")
    if county is None and default_county:
        values["current_county_code"] = default_county


def _resolve_names(values: dict[str, object], names: dict[str, str], places: Places | None,
                   default_county: str | None) -> None:
    """Codes for the area fields given as names: county, origin area, township, village."""
    for name, text in names.items():  # in field order: the county before its township
        try:
            _resolve_one(values, name, text, places, default_county)
        except InvalidValue as exc:
            raise FieldError(exc.code, name, exc.message) from None


def _resolve_one(values: dict[str, object], name: str, text: str, places: Places | None,
                 default_county: str | None) -> None:
    area_level = name in ("current_county_code", "origin_area_code")
    if places is None or (area_level and places.areas is None):
        raise InvalidValue(p.INVALID_AREA_CODE, f"{text.strip()!r} is a name; this field "
                           "takes an area code (6, 9 or 12 digits)")
    if area_level:
        assert places.areas is not None
        area = places.areas.resolve(text)
        if name == "current_county_code" and area.code.endswith("00"):
            raise InvalidValue(p.INVALID_AREA_CODE, f"{area.full_name} is not a county")
        values[name] = area.code
        if name == "origin_area_code" and is_empty(values.get("origin_area_name")):
            values["origin_area_name"] = text.strip()
        return
    county = values.get("current_county_code") or default_county
    if not isinstance(county, str):
        raise InvalidValue(p.INVALID_AREA_CODE, f"{text.strip()!r} is a name: give the county "
                           "(县/区) too, or the code")
    gazetteer = places.county(county[:6])
    if name == "current_township_code":
        values[name] = gazetteer.township(text)
    else:
        township = values.get("current_township_code")
        values[name] = gazetteer.village(text, township if isinstance(township, str) else None)


def _origin(values: dict[str, object], places: Places | None) -> None:
    """The origin as an area (code and name) or, for arrivals from abroad, a country."""
    code, name = values.get("origin_area_code"), values.get("origin_area_name")
    if values.get("origin_country") is not None:
        if code is not None:
            raise FieldError(p.INVALID_VALUE, "origin_country", "give either a country or an "
                             "area code as the origin, not both")
        values["origin_area_name"] = None  # a place abroad: the country says where
        return
    areas = places.areas if places is not None else None
    if code is None and isinstance(name, str) and areas is not None:
        try:
            values["origin_area_code"] = areas.resolve(name).code
        except InvalidValue as exc:
            country = find_country(name)
            if country is None:
                raise FieldError(exc.code, "origin_area_name", exc.message) from None
            values["origin_country"], values["origin_area_name"] = country, None
    elif isinstance(code, str) and name is None and areas is not None:
        area = areas.get(code)
        if area is not None:
            values["origin_area_name"] = area.full_name


def _check_times(values: dict[str, object], now: datetime, skew: timedelta) -> None:
    departed, arrived = values.get("departed_at"), values.get("arrived_at")
    if isinstance(departed, datetime) and isinstance(arrived, datetime) and departed > arrived:
        raise FieldError(p.TIME_ORDER, "departed_at",
                         f"departure {departed:%Y-%m-%d %H:%M} is after arrival "
                         f"{arrived:%Y-%m-%d %H:%M}")
    latest = now + skew
    for name in _NOT_IN_FUTURE:
        value = values.get(name)
        if isinstance(value, datetime) and value > latest:
            raise FieldError(p.TIME_ORDER, name, f"{value:%Y-%m-%d %H:%M} is in the future "
                             f"(now {now.astimezone(value.tzinfo):%Y-%m-%d %H:%M})")


def _values(feed: str, fields: Mapping[str, object], cells: bool, default_county: str | None,
            places: Places | None, now: datetime, skew: timedelta) -> dict[str, object]:
    specs = specs_for(feed)
    values: dict[str, object] = {}
    names: dict[str, str] = {}
    for spec in specs:
        raw = fields.get(spec.name)
        if is_empty(raw):
            values[spec.name] = spec.default
            continue
        if spec.kind is Kind.AREA_CODE and looks_like_name(raw):
            names[spec.name], values[spec.name] = str(raw), None
            continue
        try:
            values[spec.name] = convert(spec, raw, cells=cells,
                                        id_type=str(values.get("id_type") or "resident_id"))
        except InvalidValue as exc:
            raise FieldError(exc.code, spec.name, exc.message) from None
    if names:
        _resolve_names(values, names, places, default_county)
    _origin(values, places)
    _current_county(values, default_county)
    abroad = values.get("origin_country") is not None
    for spec in specs:
        derivable = spec.name == "source_record_id" and cells
        if abroad and spec.name in ("origin_area_code", "origin_area_name"):
            continue
        if spec.required and values.get(spec.name) is None and not derivable:
            raise FieldError(p.MISSING_FIELD, spec.name, f"{spec.name} ({spec.label}) is required")
    _check_times(values, now, skew)
    return values


def normalize(feed: str, fields: Mapping[str, object], *, cells: bool = False,
              default_county: str | None = None, places: Places | None = None,
              now: datetime | None = None, skew: timedelta = CLOCK_SKEW
              ) -> Normalized | Problem:
    """Validate and normalize one record; file rows (``cells``) may omit the source id.
    ``now`` bounds arrival and the other past times (default: the current time)."""
    try:
        values = _values(feed, fields, cells, default_county, places, now or datetime.now(UTC),
                         skew)
    except FieldError as exc:
        return exc.problem()
    derived = values.get("source_record_id") is None
    if derived:
        values["source_record_id"] = derived_source_id(feed, values)
    shape: dict[str, Any] = {"feed": feed, "details": {"feed": feed}}
    for spec in specs_for(feed):
        value = values.get(spec.name)
        if value is None:
            continue
        *parents, leaf = spec.target.split(".")
        node = shape
        for parent in parents:
            node = node.setdefault(parent, {})
        node[leaf] = value
    return Normalized(str(values["source_record_id"]), derived, str(values["id_type"]),
                      str(values["id_number"]), shape)
