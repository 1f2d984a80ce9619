"""Risk-area history: designations validated, superseded only where they overlap, open-ended when
no end is given, and matched to origins by code prefix across counties, townships and villages."""

from __future__ import annotations

from datetime import datetime

import pytest

from services.triage.domain import Designation, RiskLevel

from .builders import (
    COUNTY,
    OTHER_COUNTY_VILLAGE,
    OTHER_TOWNSHIP_VILLAGE,
    OTHER_VILLAGE_SAME_TOWNSHIP,
    TOWNSHIP,
    VILLAGE,
    at,
    designation,
    registry,
)


@pytest.mark.parametrize("code", ["13082", "1308261", "13082610", "1308261002011", "13O826",
                                  "１３０８２６"])
def test_area_code_must_be_6_9_or_12_ascii_digits(code: str) -> None:
    with pytest.raises(ValueError, match="6, 9 or 12 digits"):
        designation(code)


def test_designation_times_must_be_timezone_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        designation(start=datetime(2022, 7, 1))


def test_designation_must_end_after_it_starts() -> None:
    with pytest.raises(ValueError, match="after effective_from"):
        designation(start=at(-1), end=at(-1))


def test_designation_level_none_is_refused() -> None:
    with pytest.raises(ValueError, match="high, medium or low"):
        designation(level="none")


def test_open_ended_designation_stays_in_force() -> None:
    areas = registry(designation(start=at(-30)))
    assert areas.in_force(at(365)) == [designation(start=at(-30))]
    assert areas.in_force(at(-31)) == []


def test_bounded_designation_ends_at_its_effective_to_exclusive() -> None:
    bounded = designation(start=at(-10), end=at(-3))
    areas = registry(bounded)
    assert areas.in_force(at(-10)) == [bounded]
    assert areas.in_force(at(-3, hours=-1)) == [bounded]
    assert areas.in_force(at(-3)) == []


def test_later_notice_supersedes_an_open_ended_one_from_its_start() -> None:
    high = designation(level="high", start=at(-20), notice="n-01")
    medium = designation(level="medium", start=at(-13), notice="n-02")  # 7 days without cases
    areas = registry(high, medium)
    assert areas.in_force(at(-14)) == [high]
    assert areas.in_force(at(-13)) == [medium]
    assert [(s.designation.notice_id, s.start, s.end) for s in areas.history(VILLAGE)] == [
        ("n-01", at(-20), at(-13)), ("n-02", at(-13), None)]


def test_bounded_later_notice_supersedes_only_for_its_own_interval() -> None:
    high = designation(level="high", start=at(-20), notice="n-01")
    medium = designation(level="medium", start=at(-13), end=at(-10), notice="n-02")
    areas = registry(high, medium)
    assert areas.in_force(at(-12)) == [medium]
    assert areas.in_force(at(-9)) == [high]


def test_same_start_ties_are_broken_by_notice_id() -> None:
    first = designation(level="high", start=at(-5), notice="n-01")
    second = designation(level="low", start=at(-5), notice="n-02")
    assert registry(second, first).in_force(at(-1)) == [second]


def test_resending_a_notice_replaces_it_as_a_correction() -> None:
    areas = registry(designation(level="high", notice="n-01"))
    corrected = designation(level="medium", notice="n-01")
    replaced = areas.apply(corrected)
    assert replaced is not None and replaced.level is RiskLevel.HIGH
    assert areas.designations() == [corrected]
    assert areas.apply(corrected) == corrected  # idempotent


def test_in_force_lists_each_area_code_once_in_code_order() -> None:
    village = designation(VILLAGE, notice="n-02")
    county = designation(COUNTY, level="low", notice="n-01")
    assert registry(village, county).in_force(at(0)) == [county, village]


@pytest.mark.parametrize(("designated", "origin", "covered"), [
    (COUNTY, VILLAGE, True),
    (COUNTY, TOWNSHIP, True),
    (COUNTY, COUNTY, True),
    (TOWNSHIP, VILLAGE, True),
    (TOWNSHIP, OTHER_VILLAGE_SAME_TOWNSHIP, True),
    (TOWNSHIP, OTHER_TOWNSHIP_VILLAGE, False),
    (VILLAGE, VILLAGE, True),
    (VILLAGE, OTHER_VILLAGE_SAME_TOWNSHIP, False),
    (VILLAGE, TOWNSHIP, False),  # a person known only by township was not shown to be there
    (VILLAGE, COUNTY, False),
    (COUNTY, OTHER_COUNTY_VILLAGE, False),
])
def test_covering_matches_by_code_prefix(designated: str, origin: str, covered: bool) -> None:
    areas = registry(designation(designated))
    assert bool(areas.covering(origin, at(-7), at(0))) is covered


def test_covering_uses_the_level_in_force_during_the_stay() -> None:
    high = designation(level="high", start=at(-20), notice="n-01")
    medium = designation(level="medium", start=at(-13), notice="n-02")
    areas = registry(high, medium)
    assert areas.covering(VILLAGE, at(-7), at(-1)) == [medium]
    assert areas.covering(VILLAGE, at(-14), at(-1)) == [high, medium]


def test_in_county_finds_designations_anywhere_in_the_county_only() -> None:
    here = designation(OTHER_TOWNSHIP_VILLAGE, notice="n-01")
    elsewhere = designation(OTHER_COUNTY_VILLAGE, notice="n-02")
    areas = registry(here, elsewhere)
    assert areas.in_county(VILLAGE, at(-7), at(0)) == [here]
    assert areas.covering(VILLAGE, at(-7), at(0)) == []


def test_a_stay_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(ValueError, match="stay_end"):
        registry().covering(VILLAGE, at(0), at(-1))


def test_designation_keeps_its_fields() -> None:
    made = Designation(VILLAGE, RiskLevel.MEDIUM, at(-3), None, "n-9")
    assert (made.key, made.precedence) == ((VILLAGE, "n-9"), (at(-3), "n-9"))
