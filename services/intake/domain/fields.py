"""What each feed sends: one spec per field (kind, required, default, where it lands in the
RecordReceived event, and the Chinese column label used in messages)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    TEXT = "text"
    ID_NUMBER = "id_number"
    MOBILE = "mobile"
    AREA_CODE = "area_code"
    TIME = "time"
    CHOICE = "choice"
    COUNTRY = "country"


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    kind: Kind
    target: str
    """Dotted path in the RecordReceived shape, e.g. ``person.name``."""
    label: str
    """The usual Chinese column header, for messages to spreadsheet users."""
    required: bool = False
    max_len: int = 512
    choices: str | None = None
    """Name of the value table in ``domain.choices`` for CHOICE fields."""
    default: str | None = None
    numeric: bool = False
    """A TEXT field that is an identifier: a JSON integer is taken as its text."""


def _f(name: str, kind: Kind, target: str, label: str, *, required: bool = False,
       max_len: int = 512, choices: str | None = None, default: str | None = None,
       numeric: bool = False) -> FieldSpec:
    return FieldSpec(name, kind, target, label, required, max_len, choices, default, numeric)


T, C = Kind.TEXT, Kind.CHOICE
COMMON: tuple[FieldSpec, ...] = (
    _f("source_record_id", T, "source_record_id", "源记录编号", required=True, numeric=True),
    _f("name", T, "person.name", "姓名", required=True, max_len=64),
    _f("id_type", C, "person.id_type", "证件类型", choices="id_type", default="resident_id"),
    _f("id_number", Kind.ID_NUMBER, "person.id_number", "身份证号", required=True, max_len=64),
    _f("mobile", Kind.MOBILE, "person.mobile", "手机号"),
    _f("origin_area_code", Kind.AREA_CODE, "origin.area_code", "来源地区划代码", required=True),
    _f("origin_area_name", T, "origin.area_name", "来源地", required=True),
    # Arrivals from abroad: a country instead of the area code and name (origin is then null).
    _f("origin_country", Kind.COUNTRY, "origin_country", "来源国家/地区"),
    _f("departed_at", Kind.TIME, "departed_at", "离开时间"),
    _f("arrived_at", Kind.TIME, "arrived_at", "到达时间", required=True),
    # Required, but derived from the township/village code or the configured county if absent.
    _f("current_county_code", Kind.AREA_CODE, "current.county_code", "县/区", required=True),
    _f("current_township_code", Kind.AREA_CODE, "current.township_code", "乡镇/街道"),
    _f("current_village_code", Kind.AREA_CODE, "current.village_code", "村(社区)"),
    _f("current_address", T, "current.address", "现住址"),
    _f("exposure", C, "exposure", "暴露类型", choices="exposure", default="none"),
)

FEED_FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    "bigdata": (
        _f("signal", C, "details.signal", "信号类型", required=True, choices="signal"),
    ),
    "assist": (
        _f("request_id", T, "details.request_id", "协查编号", required=True, numeric=True),
        _f("requesting_province", T, "details.requesting_province", "协查发起省份", required=True),
        _f("reply_by", Kind.TIME, "details.reply_by", "回复时限", required=True),
    ),
    "selfreport": (
        _f("channel", C, "details.channel", "上报渠道", required=True, choices="channel"),
        _f("reported_at", Kind.TIME, "details.reported_at", "上报时间"),
    ),
    "screening": (
        _f("screened_by", T, "details.screened_by", "排查单位", required=True),
        _f("checkpoint", T, "details.checkpoint", "卡口"),
    ),
    "contacts": (
        _f("case_ref", T, "details.case_ref", "关联病例编号", required=True, numeric=True),
        _f("last_contact_at", Kind.TIME, "details.last_contact_at", "末次接触时间", required=True),
        _f("contact_kind", C, "details.contact_kind", "接触类型", required=True,
           choices="contact_kind"),
    ),
}
FEEDS: tuple[str, ...] = tuple(FEED_FIELDS)

_SPECS = {feed: COMMON + extra for feed, extra in FEED_FIELDS.items()}
_NAMES = {feed: frozenset(s.name for s in specs) for feed, specs in _SPECS.items()}
_BY_NAME = {feed: {s.name: s for s in specs} for feed, specs in _SPECS.items()}


def specs_for(feed: str) -> tuple[FieldSpec, ...]:
    """Every field the feed may send, common ones first (KeyError for an unknown feed)."""
    return _SPECS[feed]


def field_names(feed: str) -> frozenset[str]:
    return _NAMES[feed]


def spec(feed: str, name: str) -> FieldSpec:
    return _BY_NAME[feed][name]
