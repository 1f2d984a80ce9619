"""Risk-area designations and their effective-dated history, matched by area-code prefix.

Resolution rule (the same set of designations gives the same state in any arrival order):
designations are kept by (area_code, notice_id); sending a key again replaces it (a correction).
For one area code, the designation in force at an instant is, among those whose
[effective_from, effective_to) contains it, the greatest by (effective_from, notice_id): a later
notice supersedes an earlier one only where their intervals overlap. Designations on different
codes never supersede each other; queries combine them by code prefix (a 6-digit county covers
its 9-digit townships and 12-digit villages, a township its villages).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from contracts.vocabulary import RiskLevel

from .model import AREA_CODE_LENGTHS, check_area_code, check_aware


@dataclass(frozen=True)
class Designation:
    area_code: str
    level: RiskLevel  # high, medium or low
    effective_from: datetime
    effective_to: datetime | None  # exclusive; None is open-ended
    notice_id: str

    def __post_init__(self) -> None:
        check_area_code(self.area_code)
        object.__setattr__(self, "level", RiskLevel(self.level))
        if self.level is RiskLevel.NONE:
            raise ValueError("a designation is high, medium or low; end one with effective_to")
        check_aware(self.effective_from, "effective_from")
        check_aware(self.effective_to, "effective_to")
        if self.effective_to is not None and self.effective_to <= self.effective_from:
            raise ValueError("effective_to must be after effective_from")
        if not self.notice_id:
            raise ValueError("notice_id is required")

    @property
    def key(self) -> tuple[str, str]:
        return (self.area_code, self.notice_id)

    @property
    def precedence(self) -> tuple[datetime, str]:
        return (self.effective_from, self.notice_id)


@dataclass(frozen=True)
class Segment:
    """A stretch of an area's history during which one designation is in force."""

    designation: Designation
    start: datetime
    end: datetime | None  # exclusive; None is open-ended

    def contains(self, instant: datetime) -> bool:
        return self.start <= instant and (self.end is None or instant < self.end)

    def overlaps(self, start: datetime, end: datetime) -> bool:
        """Whether it shares any instant with the closed interval [start, end]."""
        return self.start <= end and (self.end is None or start < self.end)


def resolve(designations: Iterable[Designation]) -> tuple[Segment, ...]:
    """One area's history: which designation is in force when, per the module's rule."""
    ordered = sorted(designations, key=lambda d: d.precedence)
    points = sorted({d.effective_from for d in ordered}
                    | {d.effective_to for d in ordered if d.effective_to})
    segments: list[Segment] = []
    for start, end in zip(points, [*points[1:], None], strict=False):
        # No bound lies inside (start, end), so whoever is live at start is live throughout.
        live = [d for d in ordered
                if d.effective_from <= start and (d.effective_to is None or start < d.effective_to)]
        if not live:
            continue
        if segments and segments[-1].designation == live[-1] and segments[-1].end == start:
            segments[-1] = Segment(live[-1], segments[-1].start, end)
        else:
            segments.append(Segment(live[-1], start, end))
    return tuple(segments)


class RiskAreaRegistry:
    """All designations received, queried as resolved history."""

    def __init__(self, designations: Iterable[Designation] = ()) -> None:
        self._by_area: dict[str, dict[str, Designation]] = {}
        self._areas_by_county: dict[str, set[str]] = {}
        self._history: dict[str, tuple[Segment, ...]] = {}
        for designation in designations:
            self.apply(designation)

    def apply(self, designation: Designation) -> Designation | None:
        """Add or replace a designation; returns the one it replaced, if any."""
        notices = self._by_area.setdefault(designation.area_code, {})
        previous = notices.get(designation.notice_id)
        notices[designation.notice_id] = designation
        county = self._areas_by_county.setdefault(designation.area_code[:6], set())
        county.add(designation.area_code)
        self._history.pop(designation.area_code, None)
        return previous

    def get(self, area_code: str, notice_id: str) -> Designation | None:
        return self._by_area.get(area_code, {}).get(notice_id)

    def designations(self) -> list[Designation]:
        return sorted((d for notices in self._by_area.values() for d in notices.values()),
                      key=lambda d: (d.area_code, d.precedence))

    def history(self, area_code: str) -> tuple[Segment, ...]:
        if area_code not in self._history:
            self._history[area_code] = resolve(self._by_area.get(area_code, {}).values())
        return self._history[area_code]

    def in_force(self, as_of: datetime) -> list[Designation]:
        """The designation in force at `as_of` for each area code, by area code."""
        check_aware(as_of, "as_of")
        return [segment.designation for code in sorted(self._by_area)
                for segment in self.history(code) if segment.contains(as_of)]

    def covering(self, origin_code: str, stay_start: datetime,
                 stay_end: datetime) -> list[Designation]:
        """Designations on a prefix of the origin code in force at some instant of the stay."""
        check_area_code(origin_code, "origin_code")
        prefixes = [origin_code[:n] for n in AREA_CODE_LENGTHS if n <= len(origin_code)]
        return self._overlapping(prefixes, stay_start, stay_end)

    def in_county(self, origin_code: str, stay_start: datetime,
                  stay_end: datetime) -> list[Designation]:
        """Designations anywhere in the origin's county in force at some instant of the stay."""
        check_area_code(origin_code, "origin_code")
        return self._overlapping(sorted(self._areas_by_county.get(origin_code[:6], ())),
                                 stay_start, stay_end)

    def _overlapping(self, codes: list[str], start: datetime, end: datetime) -> list[Designation]:
        check_aware(start, "stay_start")
        check_aware(end, "stay_end")
        if end < start:
            raise ValueError("stay_end must not be before stay_start")
        found: dict[tuple[str, str], Designation] = {}
        for code in codes:
            for segment in self.history(code):
                if segment.overlaps(start, end):
                    found.setdefault(segment.designation.key, segment.designation)
        return sorted(found.values(), key=lambda d: (d.area_code, d.precedence))
