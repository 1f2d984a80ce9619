"""The facts of one record and how an exposure and an area level make a category.

The vocabulary (risk levels, exposures, categories, measures) is contracts.vocabulary, the
standard-library module the events use too, so the rules and the wire cannot disagree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from contracts.vocabulary import Category, Exposure, RiskLevel

AREA_CODE_LENGTHS = (6, 9, 12)  # GB/T 2260 county, then township and village statistical codes


_AREA_CATEGORY = {
    RiskLevel.HIGH: Category.HIGH_RISK_AREA,
    RiskLevel.MEDIUM: Category.MEDIUM_RISK_AREA,
    RiskLevel.LOW: Category.LOW_RISK_AREA,
    RiskLevel.NONE: Category.NONE,
}


def category_for(level: RiskLevel, exposure: Exposure) -> Category:
    """SPEC "Classification, precisely": an exposure category overrides the area level.

    It overrides even a more severe level (a secondary contact from a high-risk area is a
    secondary contact); `Classification.risk_level` still reports the area level.
    """
    if exposure is Exposure.NONE:
        return _AREA_CATEGORY[level]
    return Category(exposure.value)


def check_area_code(code: object, name: str = "area code") -> str:
    if not (isinstance(code, str) and code.isascii() and code.isdigit()
            and len(code) in AREA_CODE_LENGTHS):
        raise ValueError(f"{name} must be 6, 9 or 12 digits, got {code!r}")
    return code


def check_aware(value: datetime | None, name: str) -> None:
    # Naive datetimes would silently mix Beijing and UTC wall clocks in deadline arithmetic.
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise ValueError(f"{name} must be timezone-aware, got {value.isoformat()}")


@dataclass(frozen=True)
class RecordFacts:
    """What triage needs of one accepted record (no PII: the person is their keyed hash).

    `arrived_at` may be None when a feed gives no arrival time; the stay is then counted back
    from `received_at`. `reply_by` is set for assist (协查) requests.
    """

    record_id: str
    feed: str
    source_record_id: str
    person_key: str
    origin_code: str | None
    departed_at: datetime | None
    arrived_at: datetime | None
    received_at: datetime
    exposure: Exposure = Exposure.NONE
    reply_by: datetime | None = None

    def __post_init__(self) -> None:
        if self.origin_code is not None:
            check_area_code(self.origin_code, "origin_code")
        for name in ("departed_at", "arrived_at", "received_at", "reply_by"):
            check_aware(getattr(self, name), name)
        if not isinstance(self.exposure, Exposure):
            object.__setattr__(self, "exposure", Exposure(self.exposure))

    @property
    def source_key(self) -> tuple[str, str]:
        return (self.feed, self.source_record_id)
