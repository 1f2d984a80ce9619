"""One case per person: the first record opens it, later records merge, a more severe record
reclassifies it with fresh deadlines, nothing ever downgrades it, and duplicates change nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.triage.domain import (
    Case,
    Category,
    DecisionKind,
    Exposure,
    RecordFacts,
    SourceRef,
    apply_record,
    case_id_for,
    default_policy,
)

from .builders import OTHER_COUNTY_VILLAGE, RECEIVED, VILLAGE, designation, record, registry

POLICY = default_policy()
AREAS = registry(designation(VILLAGE, "medium"))
LATER = RECEIVED + timedelta(hours=5)


def opened(facts: RecordFacts | None = None) -> Case:
    decision = apply_record(None, facts or record(), AREAS, POLICY)
    assert decision.kind is DecisionKind.OPENED
    return decision.case


def test_first_record_opens_a_case_with_a_deterministic_id() -> None:
    case = opened()
    assert case.case_id == case_id_for("pk-0001", "rec-1") == opened().case_id
    assert case.case_id != case_id_for("pk-0001", "rec-2")
    assert case.classification.category is Category.MEDIUM_RISK_AREA
    assert case.sources == (SourceRef("bigdata", "src-rec-1", "rec-1", RECEIVED),)


def test_record_of_equal_severity_merges_and_keeps_the_first_deadlines() -> None:
    case = opened()
    later = record(record_id="rec-2", feed="selfreport", received=LATER)
    decision = apply_record(case, later, AREAS, POLICY)
    assert decision.kind is DecisionKind.MERGED
    assert decision.case.classification == case.classification
    assert [s.record_id for s in decision.case.sources] == ["rec-1", "rec-2"]


def test_secondary_contact_merges_into_a_medium_risk_case_as_equal() -> None:
    contact = record(record_id="rec-2", exposure=Exposure.SECONDARY_CLOSE_CONTACT, received=LATER)
    decision = apply_record(opened(), contact, AREAS, POLICY)
    assert decision.kind is DecisionKind.MERGED
    assert decision.case.classification.category is Category.MEDIUM_RISK_AREA


def test_less_severe_record_never_downgrades_the_case() -> None:
    case = opened()
    harmless = record(record_id="rec-2", origin=OTHER_COUNTY_VILLAGE, received=LATER)
    decision = apply_record(case, harmless, AREAS, POLICY)
    assert decision.kind is DecisionKind.MERGED
    assert decision.case.classification == case.classification
    assert len(decision.case.sources) == 2


def test_close_contact_record_reclassifies_upward_with_deadlines_from_that_record() -> None:
    case = opened()
    contact = record(record_id="rec-2", feed="contacts", exposure=Exposure.CLOSE_CONTACT,
                     received=LATER)
    decision = apply_record(case, contact, AREAS, POLICY)
    assert decision.kind is DecisionKind.RECLASSIFIED
    assert decision.previous == case.classification
    raised = decision.case
    assert (raised.case_id, raised.classified_by) == (case.case_id, "rec-2")
    assert raised.classification.category is Category.CLOSE_CONTACT
    assert raised.classification.verification_due_at == LATER + timedelta(hours=2)
    assert raised.classification.test_result_due_at == LATER + timedelta(hours=24)
    assert [s.record_id for s in raised.sources] == ["rec-1", "rec-2"]


def test_same_feed_and_source_record_id_is_a_duplicate() -> None:
    case = opened()
    again = record(record_id="rec-9", source_record_id="src-rec-1",
                   exposure=Exposure.CLOSE_CONTACT)
    decision = apply_record(case, again, AREAS, POLICY)
    assert decision.kind is DecisionKind.DUPLICATE
    assert decision.case == case


def test_redelivered_record_is_a_duplicate() -> None:
    case = opened()
    assert apply_record(case, record(), AREAS, POLICY).kind is DecisionKind.DUPLICATE


def test_same_source_record_id_from_another_feed_is_a_new_record() -> None:
    other_feed = record(record_id="rec-2", feed="assist", source_record_id="src-rec-1")
    assert apply_record(opened(), other_feed, AREAS, POLICY).kind is DecisionKind.MERGED


def test_new_record_after_the_case_closed_opens_a_new_case() -> None:
    closed = opened().closed()
    decision = apply_record(closed, record(record_id="rec-2", received=LATER), AREAS, POLICY)
    assert decision.kind is DecisionKind.OPENED
    assert decision.case.case_id == case_id_for("pk-0001", "rec-2") != closed.case_id
    assert apply_record(closed, record(), AREAS, POLICY).kind is DecisionKind.DUPLICATE


def test_record_of_another_person_is_refused() -> None:
    with pytest.raises(ValueError, match="another person"):
        apply_record(opened(), record(record_id="rec-2", person_key="pk-0002"), AREAS, POLICY)
