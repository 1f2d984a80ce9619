"""The facts of one record and how an exposure and an area level make a category.

The vocabulary (risk levels, exposures, categories, measures) is contracts.vocabulary, the
standard-library module the events use too, so the rules and the wire cannot disagree."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from contracts.vocabulary import Category, Exposure, RiskLevel

AREA_CODE_LENGTHS = (6, 9, 12)  # GB/T 2260 county, then township and village statistical codes
_COUNTRY = re.compile(r"^[A-Z]{2}$")


_AREA_CATEGORY = {
    RiskLevel.HIGH: Category.HIGH_RISK_AREA,
    RiskLevel.MEDIUM: Category.MEDIUM_RISK_AREA,
    RiskLevel.LOW: Category.LOW_RISK_AREA,
    RiskLevel.NONE: Category.NONE,
}


def origin_category(level: RiskLevel, *, inbound: bool = False) -> Category:
    """What where the person came from makes them: inbound when from abroad, else the
    category of the area level."""
    return Category.INBOUND if inbound else _AREA_CATEGORY[level]


def category_for(level: RiskLevel, exposure: Exposure, rank: Callable[[Category], int], *,
                 inbound: bool = False) -> Category:
    """SPEC "Classification, precisely": the more severe of the exposure category and the
    origin's (area level, or inbound for an arrival from abroad), by the policy's `rank`.

    A secondary close contact from a high-risk area is high risk; on a tie (a secondary close
    contact from a medium-risk area, a close contact from abroad) the exposure category stands.
    """
    origin = origin_category(level, inbound=inbound)
    if exposure is Exposure.NONE:
        return origin
    exposed = Category(exposure.value)
    return origin if rank(origin) > rank(exposed) else exposed


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
    from `received_at`. `reply_by` is set for assist (协查) requests. `origin_country` (ISO
    3166-1 alpha-2, never CN) is set for an arrival from abroad (境外返回).
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
    origin_country: str | None = None

    def __post_init__(self) -> None:
        if self.origin_code is not None:
            check_area_code(self.origin_code, "origin_code")
        if self.origin_country is not None and (
                not _COUNTRY.match(self.origin_country) or self.origin_country == "CN"):
            raise ValueError("origin_country must be an ISO 3166-1 alpha-2 code other than CN, "
                             f"got {self.origin_country!r}")
        for name in ("departed_at", "arrived_at", "received_at", "reply_by"):
            check_aware(getattr(self, name), name)
        if not isinstance(self.exposure, Exposure):
            object.__setattr__(self, "exposure", Exposure(self.exposure))

    @property
    def source_key(self) -> tuple[str, str]:
        return (self.feed, self.source_record_id)

    @property
    def inbound(self) -> bool:
        return self.origin_country is not None
