"""SPEC "Classification, precisely": the category is the more severe of the exposure category and
the origin's (the area level, or inbound for an arrival from abroad); on a tie the exposure
category stands. Every exposure against every origin, for a new record and for re-triage."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.triage.domain import (
    Category,
    Exposure,
    Measure,
    RiskLevel,
    apply_record,
    classify,
    default_policy,
    retriage,
)

from .builders import RECEIVED, at, designation, record, registry

POLICY = default_policy()
CC, SCC, NO = Exposure.CLOSE_CONTACT, Exposure.SECONDARY_CLOSE_CONTACT, Exposure.NONE
ABROAD = "abroad"  # the origin column's value for an arrival from abroad (origin_country JP)

# exposure, origin (area level or ABROAD), expected category
TABLE = [
    (NO, RiskLevel.NONE, Category.NONE),
    (NO, RiskLevel.LOW, Category.LOW_RISK_AREA),
    (NO, RiskLevel.MEDIUM, Category.MEDIUM_RISK_AREA),
    (NO, RiskLevel.HIGH, Category.HIGH_RISK_AREA),
    (NO, ABROAD, Category.INBOUND),
    (SCC, RiskLevel.NONE, Category.SECONDARY_CLOSE_CONTACT),
    (SCC, RiskLevel.LOW, Category.SECONDARY_CLOSE_CONTACT),
    (SCC, RiskLevel.MEDIUM, Category.SECONDARY_CLOSE_CONTACT),  # tie: the exposure stands
    (SCC, RiskLevel.HIGH, Category.HIGH_RISK_AREA),  # the area is stricter
    (SCC, ABROAD, Category.INBOUND),
    (CC, RiskLevel.NONE, Category.CLOSE_CONTACT),
    (CC, RiskLevel.LOW, Category.CLOSE_CONTACT),
    (CC, RiskLevel.MEDIUM, Category.CLOSE_CONTACT),
    (CC, RiskLevel.HIGH, Category.CLOSE_CONTACT),
    (CC, ABROAD, Category.CLOSE_CONTACT),  # tie with inbound: the exposure stands
]


def _facts(exposure: Exposure, origin: RiskLevel | str):
    if origin == ABROAD:
        return record(exposure=exposure, origin=None, origin_country="JP"), registry()
    areas = registry(designation(level=origin)) if origin is not RiskLevel.NONE else registry()
    return record(exposure=exposure), areas


@pytest.mark.parametrize(("exposure", "origin", "expected"), TABLE,
                         ids=[f"{e.value}-from-{o}" for e, o, _ in TABLE])
def test_the_category_is_the_stricter_of_exposure_and_origin(exposure, origin, expected):
    facts, areas = _facts(exposure, origin)
    result = classify(facts, areas, POLICY)
    assert result.category is expected
    assert result.measure is POLICY.rule(expected).measure
    assert result.risk_level is (RiskLevel.NONE if origin == ABROAD else origin)


@pytest.mark.parametrize(("exposure", "origin", "expected"),
                         [row for row in TABLE if row[1] != ABROAD],
                         ids=[f"{e.value}-from-{o}" for e, o, _ in TABLE if o != ABROAD])
def test_retriage_follows_the_same_rule(exposure, origin, expected):
    """A case opened with no designation anywhere; the area is then designated."""
    facts, _ = _facts(exposure, RiskLevel.NONE)
    areas = registry()
    opened = apply_record(None, facts, areas, POLICY).case
    if origin is RiskLevel.NONE:
        assert opened.classification.category is expected
        return
    notice = designation(level=origin, start=at(days=-30))
    areas.apply(notice)
    result = retriage(notice, [opened], areas, POLICY, RECEIVED + timedelta(hours=5))
    final = result.reclassified[0].case if result.reclassified else opened
    assert final.classification.category is expected
    assert not result.downgrades


def test_an_arrival_from_abroad_is_quarantined_7_days_then_monitored_3_with_six_tests():
    result = classify(record(origin=None, origin_country="US"), registry(), POLICY)
    assert result.category is Category.INBOUND
    assert (result.measure, result.measure_days) == (Measure.CENTRALIZED_QUARANTINE, 7)
    assert result.followed_by is not None
    assert (result.followed_by.measure, result.followed_by.days) == (Measure.HEALTH_MONITORING, 3)
    assert result.test_days == (1, 2, 3, 5, 7, 10)
    assert result.verification_due_at == RECEIVED + timedelta(hours=2)


def test_a_later_arrival_from_abroad_raises_an_open_domestic_case_to_inbound():
    areas = registry(designation(level=RiskLevel.HIGH))
    opened = apply_record(None, record(), areas, POLICY).case
    assert opened.classification.category is Category.HIGH_RISK_AREA
    abroad = record(record_id="rec-2", origin=None, origin_country="KR",
                    received=RECEIVED + timedelta(days=1))
    decision = apply_record(opened, abroad, areas, POLICY)
    assert decision.kind.value == "reclassified"
    assert decision.case.classification.category is Category.INBOUND


def test_an_inbound_case_is_never_lowered_by_a_lifted_designation():
    areas = registry(designation(level=RiskLevel.HIGH))
    case = apply_record(None, record(origin=None, origin_country="KR"), areas, POLICY).case
    lifted = designation(level=RiskLevel.LOW, notice="notice-2", start=at(days=-40))
    areas.apply(lifted)
    result = retriage(lifted, [case], areas, POLICY, RECEIVED + timedelta(hours=5))
    assert result.reclassified == () and result.downgrades == ()


@pytest.mark.parametrize("country", ["CN", "cn", "JPN", "1A", ""])
def test_origin_country_must_be_a_foreign_iso_alpha2_code(country):
    with pytest.raises(ValueError, match="origin_country"):
        record(origin=None, origin_country=country)
