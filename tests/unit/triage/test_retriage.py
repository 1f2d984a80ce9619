"""When designations change, open cases whose origin falls under them are raised with deadlines
from the change; would-be downgrades are only noticed, never applied."""

from __future__ import annotations

from datetime import timedelta

from services.triage.domain import (
    Case,
    Category,
    DecisionKind,
    Designation,
    Exposure,
    RecordFacts,
    RetriageResult,
    RiskAreaRegistry,
    apply_record,
    default_policy,
    retriage,
)

from .builders import (
    OTHER_COUNTY_VILLAGE,
    OTHER_TOWNSHIP_VILLAGE,
    RECEIVED,
    VILLAGE,
    at,
    designation,
    record,
    registry,
)

POLICY = default_policy()
NOW = RECEIVED + timedelta(hours=6)


def case_for(facts: RecordFacts, areas: RiskAreaRegistry) -> Case:
    return apply_record(None, facts, areas, POLICY).case


def publish(areas: RiskAreaRegistry, new: Designation, *cases: Case) -> RetriageResult:
    areas.apply(new)
    return retriage(new, cases, areas, POLICY, NOW)


def test_case_from_a_newly_high_area_is_raised_with_deadlines_from_now() -> None:
    areas = registry()
    case = case_for(record(), areas)
    assert case.classification.category is Category.NONE
    result = publish(areas, designation(VILLAGE, start=at(-5), notice="n-1"), case)
    [decision] = result.reclassified
    assert decision.kind is DecisionKind.RECLASSIFIED and decision.previous == case.classification
    raised = decision.case.classification
    assert (raised.category, raised.notice_ids) == (Category.HIGH_RISK_AREA, ("n-1",))
    assert raised.verification_due_at == NOW + timedelta(hours=2)
    assert raised.test_result_due_at == NOW + timedelta(hours=24)
    assert decision.case.records == case.records  # re-triage adds no source
    assert result.downgrades == ()


def test_new_high_area_makes_the_rest_of_its_county_low() -> None:
    areas = registry()
    case = case_for(record(origin=OTHER_TOWNSHIP_VILLAGE), areas)
    [decision] = publish(areas, designation(VILLAGE, start=at(-5)), case).reclassified
    assert decision.case.classification.category is Category.LOW_RISK_AREA


def test_cases_from_other_counties_are_left_alone() -> None:
    areas = registry()
    case = case_for(record(origin=OTHER_COUNTY_VILLAGE), areas)
    result = publish(areas, designation(VILLAGE, start=at(-5)), case)
    assert result.reclassified == () and result.downgrades == ()


def test_designation_after_the_person_left_raises_nothing() -> None:
    areas = registry()
    case = case_for(record(departed=at(-3)), areas)
    result = publish(areas, designation(VILLAGE, start=at(-2)), case)
    assert result.reclassified == ()


def test_closed_cases_are_not_retriaged() -> None:
    areas = registry()
    closed = case_for(record(), areas).closed()
    assert publish(areas, designation(VILLAGE, start=at(-5)), closed).reclassified == ()


def test_close_contact_case_is_not_lowered_to_the_area_level() -> None:
    areas = registry()
    case = case_for(record(exposure=Exposure.CLOSE_CONTACT), areas)
    result = publish(areas, designation(VILLAGE, start=at(-5)), case)
    assert result.reclassified == () and result.downgrades == ()


def test_corrected_notice_that_would_downgrade_is_only_noticed() -> None:
    areas = registry(designation(VILLAGE, "high", start=at(-5), notice="n-1"))
    case = case_for(record(), areas)
    corrected = designation(VILLAGE, "medium", start=at(-5), notice="n-1")
    result = publish(areas, corrected, case)
    assert result.reclassified == ()
    [noticed] = result.downgrades
    assert (noticed.case_id, noticed.current, noticed.would_be, noticed.notice_id) == (
        case.case_id, Category.HIGH_RISK_AREA, Category.MEDIUM_RISK_AREA, "n-1")
    assert noticed.noticed_at == NOW


def test_most_severe_record_of_the_case_decides() -> None:
    areas = registry()
    case = case_for(record(origin=OTHER_TOWNSHIP_VILLAGE), areas)
    case = apply_record(case, record(record_id="rec-2", origin=VILLAGE), areas, POLICY).case
    [decision] = publish(areas, designation(VILLAGE, start=at(-5)), case).reclassified
    assert decision.record_id == "rec-2" and decision.case.classified_by == "rec-2"
    assert decision.case.classification.category is Category.HIGH_RISK_AREA


def test_assist_reply_by_still_ahead_caps_the_new_deadline() -> None:
    areas = registry()
    reply_by = NOW + timedelta(hours=1)
    case = case_for(record(feed="assist", reply_by=reply_by), areas)
    [decision] = publish(areas, designation(VILLAGE, start=at(-5)), case).reclassified
    assert decision.case.classification.verification_due_at == reply_by


def test_assist_reply_by_already_past_does_not_make_the_new_check_overdue() -> None:
    areas = registry()
    case = case_for(record(feed="assist", reply_by=NOW - timedelta(hours=1)), areas)
    [decision] = publish(areas, designation(VILLAGE, start=at(-5)), case).reclassified
    assert decision.case.classification.verification_due_at == NOW + timedelta(hours=2)
