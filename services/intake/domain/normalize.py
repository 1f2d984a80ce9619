"""A record (canonical field names -> raw values) to the normalized RecordReceived shape, or
the first Problem found, in field order. Also maps JSON keys (aliases allowed) to fields."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from contracts.values import InvalidValue
from services.intake.domain import problems as p
from services.intake.domain.aliases import field_for
from services.intake.domain.convert import convert, is_empty
from services.intake.domain.fields import field_names, specs_for
from services.intake.domain.ids import derived_source_id
from services.intake.domain.problems import FieldError, Problem


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


def _current_county(values: dict[str, object], default_county: str | None) -> None:
    """County from the township/village code (its first 6 digits) or the configured county."""
    county = values.get("current_county_code")
    for name in ("current_township_code", "current_village_code"):
        code = values.get(name)
        if not isinstance(code, str):
            continue
        if county is None:
            county = values["current_county_code"] = code[:6]
        elif not code.startswith(str(county)):
            raise FieldError(p.INVALID_AREA_CODE, name, f"{code} is not in county {county}")
    if county is None and default_county:
        values["current_county_code"] = default_county


def _check_times(values: dict[str, object]) -> None:
    departed, arrived = values.get("departed_at"), values.get("arrived_at")
    if isinstance(departed, datetime) and isinstance(arrived, datetime) and departed > arrived:
        raise FieldError(p.TIME_ORDER, "departed_at",
                         f"departure {departed:%Y-%m-%d %H:%M} is after arrival "
                         f"{arrived:%Y-%m-%d %H:%M}")


def _values(feed: str, fields: Mapping[str, object], cells: bool,
            default_county: str | None) -> dict[str, object]:
    specs = specs_for(feed)
    values: dict[str, object] = {}
    for spec in specs:
        raw = fields.get(spec.name)
        if is_empty(raw):
            values[spec.name] = spec.default
            continue
        try:
            values[spec.name] = convert(spec, raw, cells=cells,
                                        id_type=str(values.get("id_type") or "resident_id"))
        except InvalidValue as exc:
            raise FieldError(exc.code, spec.name, exc.message) from None
    _current_county(values, default_county)
    for spec in specs:
        derivable = spec.name == "source_record_id" and cells
        if spec.required and values.get(spec.name) is None and not derivable:
            raise FieldError(p.MISSING_FIELD, spec.name, f"{spec.name} ({spec.label}) is required")
    _check_times(values)
    return values


def normalize(feed: str, fields: Mapping[str, object], *, cells: bool = False,
              default_county: str | None = None) -> Normalized | Problem:
    """Validate and normalize one record; file rows (``cells``) may omit the source id."""
    try:
        values = _values(feed, fields, cells, default_county)
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
