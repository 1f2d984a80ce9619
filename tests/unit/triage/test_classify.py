"""A record's risk level is its origin's level while the person was there, within 7 days before
arrival, matched by code prefix, with the rest of a designated county low."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from services.triage.domain import (
    Category,
    Designation,
    Exposure,
    RecordFacts,
    RiskLevel,
    classify,
    default_policy,
    stay_window,
)

from .builders import (
    ARRIVAL,
    COUNTY,
    OTHER_COUNTY_VILLAGE,
    OTHER_TOWNSHIP_VILLAGE,
    TOWNSHIP,
    VILLAGE,
    at,
    designation,
    record,
    registry,
)

POLICY = default_policy()


def level_of(facts: RecordFacts, *designations: Designation) -> RiskLevel:
    return classify(facts, registry(*designations), POLICY).risk_level


def test_person_who_left_exactly_7_days_before_arrival_is_not_at_risk() -> None:
    assert level_of(record(departed=at(-7)), designation(start=at(-30))) is RiskLevel.NONE


def test_person_who_left_6_days_23_hours_before_arrival_is_counted() -> None:
    departed = at(-7, hours=1)
    assert level_of(record(departed=departed), designation(start=at(-30))) is RiskLevel.HIGH


def test_person_who_left_more_than_7_days_before_arrival_has_an_empty_stay() -> None:
    assert stay_window(record(departed=at(-9)), POLICY.lookback) is None
    assert stay_window(record(departed=at(-2)), POLICY.lookback) == (at(-7), at(-2))


def test_area_designated_only_after_the_person_left_does_not_count() -> None:
    later = designation(start=at(-1))
    assert level_of(record(departed=at(-2)), later) is RiskLevel.NONE


def test_area_designated_at_the_moment_the_person_left_counts() -> None:
    assert level_of(record(departed=at(-2)), designation(start=at(-2))) is RiskLevel.HIGH


def test_designation_lifted_before_the_stay_began_does_not_count() -> None:
    lifted = designation(start=at(-30), end=at(-7))
    assert level_of(record(departed=at(-1)), lifted) is RiskLevel.NONE


def test_designation_lifted_during_the_stay_counts() -> None:
    lifted = designation(start=at(-30), end=at(-6))
    assert level_of(record(departed=at(-1)), lifted) is RiskLevel.HIGH


def test_without_departure_the_stay_runs_to_arrival() -> None:
    facts = replace(record(), departed_at=None)
    assert level_of(facts, designation(start=at(hours=-1))) is RiskLevel.HIGH
    assert level_of(facts, designation(start=at(hours=1))) is RiskLevel.NONE


def test_without_arrival_the_window_counts_back_from_intake() -> None:
    departed = at(-7, hours=0.5)  # 6 d 23.5 h before arrival, 7 d 0.5 h before intake
    assert level_of(record(departed=departed), designation(start=at(-30))) is RiskLevel.HIGH
    unknown_arrival = record(departed=departed, arrived=None)
    assert stay_window(unknown_arrival, POLICY.lookback) is None
    assert level_of(unknown_arrival, designation(start=at(-30))) is RiskLevel.NONE


def test_departure_stamped_after_arrival_ends_the_stay_at_arrival() -> None:
    facts = record(departed=at(hours=2))
    assert stay_window(facts, POLICY.lookback) == (at(-7), ARRIVAL)
    assert level_of(facts, designation(start=at(hours=1))) is RiskLevel.NONE


@pytest.mark.parametrize("designated", [COUNTY, TOWNSHIP, VILLAGE])
def test_village_origin_matches_designation_at_each_prefix(designated: str) -> None:
    assert level_of(record(origin=VILLAGE), designation(designated)) is RiskLevel.HIGH


@pytest.mark.parametrize(("origin", "expected"), [
    (COUNTY, RiskLevel.LOW), (TOWNSHIP, RiskLevel.MEDIUM), (VILLAGE, RiskLevel.MEDIUM),
    (OTHER_TOWNSHIP_VILLAGE, RiskLevel.LOW), (OTHER_COUNTY_VILLAGE, RiskLevel.NONE),
])
def test_township_designation_by_origin_granularity(origin: str, expected: RiskLevel) -> None:
    assert level_of(record(origin=origin), designation(TOWNSHIP, "medium")) is expected


def test_rest_of_a_county_with_a_high_area_is_low_risk() -> None:
    facts = record(origin=OTHER_TOWNSHIP_VILLAGE)
    found = classify(facts, registry(designation(VILLAGE, notice="n-7")), POLICY)
    assert (found.risk_level, found.category, found.notice_ids) == (
        RiskLevel.LOW, Category.LOW_RISK_AREA, ("n-7",))


def test_county_rule_needs_the_designation_in_force_during_the_stay() -> None:
    facts = record(origin=OTHER_TOWNSHIP_VILLAGE, departed=at(-2))
    assert level_of(facts, designation(VILLAGE, start=at(-1))) is RiskLevel.NONE


def test_origin_known_only_by_county_is_low_when_a_village_in_it_is_high() -> None:
    assert level_of(record(origin=COUNTY), designation(VILLAGE)) is RiskLevel.LOW


def test_origin_in_a_county_without_designations_is_not_at_risk() -> None:
    assert level_of(record(origin=OTHER_COUNTY_VILLAGE), designation(VILLAGE)) is RiskLevel.NONE


def test_explicit_low_designation_gives_low() -> None:
    assert level_of(record(), designation(VILLAGE, "low")) is RiskLevel.LOW


def test_highest_covering_designation_wins() -> None:
    found = classify(record(), registry(
        designation(COUNTY, "low", notice="n-1"),
        designation(TOWNSHIP, "high", notice="n-2"),
        designation(VILLAGE, "medium", notice="n-3"),
    ), POLICY)
    assert (found.risk_level, found.notice_ids) == (RiskLevel.HIGH, ("n-2",))


def test_level_is_the_one_in_force_while_the_person_was_there() -> None:
    history = (designation(level="high", start=at(-20), notice="n-1"),
               designation(level="medium", start=at(-4), notice="n-2"))
    assert level_of(record(departed=at(-5)), *history) is RiskLevel.HIGH
    assert level_of(record(departed=at(-1)), *history) is RiskLevel.HIGH  # there on day -7..-4
    stayed_after_drop = record(departed=at(-1), arrived=at(5), received=at(5, 1))
    assert level_of(stayed_after_drop, *history) is RiskLevel.MEDIUM


def test_record_without_origin_is_classified_by_exposure_alone() -> None:
    found = classify(record(origin=None, exposure=Exposure.CLOSE_CONTACT),
                     registry(designation()), POLICY)
    assert (found.risk_level, found.category) == (RiskLevel.NONE, Category.CLOSE_CONTACT)


@pytest.mark.parametrize("field", ["departed_at", "arrived_at", "received_at", "reply_by"])
def test_record_times_must_be_timezone_aware(field: str) -> None:
    facts = record()
    with pytest.raises(ValueError, match=f"{field} must be timezone-aware"):
        replace(facts, **{field: datetime(2022, 7, 20, 10)})  # type: ignore[arg-type]


def test_record_origin_code_is_validated() -> None:
    with pytest.raises(ValueError, match="origin_code must be 6, 9 or 12 digits"):
        record(origin="1308")
