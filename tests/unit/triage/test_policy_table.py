"""The default policy file carries the national 9th-edition table, and classification applies it
row by row: each category gets its measure, test days and both deadlines."""

from __future__ import annotations

from datetime import date, timedelta
from importlib import resources
from pathlib import Path

import pytest

from services.triage.domain import (
    Category,
    Exposure,
    Measure,
    Phase,
    RiskLevel,
    classify,
    default_policy,
    load_policy,
)

from .builders import RECEIVED, designation, record, registry

POLICY = default_policy()

# category, measure, measure days, followed by, test days, verification h, test result h
TABLE = [
    (Category.CLOSE_CONTACT, Measure.CENTRALIZED_QUARANTINE, 7,
     Phase(Measure.HEALTH_MONITORING, 3), (1, 2, 3, 5, 7, 10), 2, 24),
    (Category.SECONDARY_CLOSE_CONTACT, Measure.HOME_QUARANTINE, 7, None, (1, 4, 7), 4, 24),
    (Category.HIGH_RISK_AREA, Measure.CENTRALIZED_QUARANTINE, 7, None, (1, 2, 3, 5, 7), 2, 24),
    (Category.MEDIUM_RISK_AREA, Measure.HOME_QUARANTINE, 7, None, (1, 4, 7), 4, 24),
    (Category.LOW_RISK_AREA, Measure.HEALTH_MONITORING, 3, None, (1, 3), 12, 24),
    (Category.NONE, Measure.NONE, 0, None, (), 24, None),
    (Category.INBOUND, Measure.CENTRALIZED_QUARANTINE, 7,
     Phase(Measure.HEALTH_MONITORING, 3), (1, 2, 3, 5, 7, 10), 2, 24),
]

# How to make a record land in each category: (exposure, level of its origin village or None)
MAKE = {
    Category.CLOSE_CONTACT: (Exposure.CLOSE_CONTACT, None),
    Category.SECONDARY_CLOSE_CONTACT: (Exposure.SECONDARY_CLOSE_CONTACT, None),
    Category.HIGH_RISK_AREA: (Exposure.NONE, RiskLevel.HIGH),
    Category.MEDIUM_RISK_AREA: (Exposure.NONE, RiskLevel.MEDIUM),
    Category.LOW_RISK_AREA: (Exposure.NONE, RiskLevel.LOW),
    Category.NONE: (Exposure.NONE, None),
    Category.INBOUND: (Exposure.NONE, None),  # with origin_country, below
}


def test_default_policy_is_the_versioned_9th_edition() -> None:
    assert POLICY.version == "national-9th-edition.v1"
    assert POLICY.effective_from == date(2022, 6, 28)
    assert POLICY.lookback == timedelta(days=7)


def test_default_policy_ranks_close_contact_over_high_over_secondary_equal_medium() -> None:
    ranks = [POLICY.rank(c) for c in (Category.CLOSE_CONTACT, Category.HIGH_RISK_AREA,
                                      Category.SECONDARY_CLOSE_CONTACT, Category.LOW_RISK_AREA,
                                      Category.NONE)]
    assert ranks == sorted(ranks, reverse=True) and len(set(ranks)) == 5
    assert POLICY.rank(Category.SECONDARY_CLOSE_CONTACT) == POLICY.rank(Category.MEDIUM_RISK_AREA)
    assert POLICY.rank(Category.INBOUND) == POLICY.rank(Category.CLOSE_CONTACT)


@pytest.mark.parametrize(("category", "measure", "days", "then", "tests", "verify_h", "result_h"),
                         TABLE, ids=[row[0].value for row in TABLE])
def test_policy_file_row(category: Category, measure: Measure, days: int, then: Phase | None,
                         tests: tuple[int, ...], verify_h: int, result_h: int | None) -> None:
    rule = POLICY.rule(category)
    assert (rule.measure, rule.measure_days, rule.followed_by, rule.test_days) == (
        measure, days, then, tests)
    assert rule.verification_deadline == timedelta(hours=verify_h)
    assert rule.test_result_deadline == (timedelta(hours=result_h) if result_h else None)


@pytest.mark.parametrize(("category", "measure", "days", "then", "tests", "verify_h", "result_h"),
                         TABLE, ids=[row[0].value for row in TABLE])
def test_record_is_given_its_category_row(category: Category, measure: Measure, days: int,
                                          then: Phase | None, tests: tuple[int, ...],
                                          verify_h: int, result_h: int | None) -> None:
    exposure, level = MAKE[category]
    areas = registry(designation(level=level)) if level else registry()
    facts = (record(origin=None, origin_country="JP") if category is Category.INBOUND
             else record(exposure=exposure))
    result = classify(facts, areas, POLICY)
    assert result.category is category
    assert (result.measure, result.measure_days, result.followed_by, result.test_days) == (
        measure, days, then, tests)
    assert result.verification_due_at == RECEIVED + timedelta(hours=verify_h)
    assert result.test_result_due_at == (RECEIVED + timedelta(hours=result_h) if result_h else None)
    assert result.policy_version == "national-9th-edition.v1"


def test_close_contact_from_low_risk_area_is_quarantined() -> None:
    areas = registry(designation(level=RiskLevel.LOW))
    result = classify(record(exposure=Exposure.CLOSE_CONTACT), areas, POLICY)
    assert result.risk_level is RiskLevel.LOW
    assert result.measure is Measure.CENTRALIZED_QUARANTINE
    assert result.followed_by == Phase(Measure.HEALTH_MONITORING, 3)


def test_a_secondary_contact_from_a_high_risk_area_is_quarantined_as_high_risk() -> None:
    areas = registry(designation(level=RiskLevel.HIGH))
    result = classify(record(exposure=Exposure.SECONDARY_CLOSE_CONTACT), areas, POLICY)
    assert result.category is Category.HIGH_RISK_AREA
    assert result.measure is Measure.CENTRALIZED_QUARANTINE
    assert result.risk_level is RiskLevel.HIGH


def test_assist_reply_by_wins_when_earlier_than_the_policy_deadline() -> None:
    reply_by = RECEIVED + timedelta(hours=1)
    result = classify(record(feed="assist", reply_by=reply_by), registry(designation()), POLICY)
    assert result.verification_due_at == reply_by  # high would give 2 h
    assert result.test_result_due_at == RECEIVED + timedelta(hours=24)


def test_assist_reply_by_later_than_the_policy_deadline_does_not_extend_it() -> None:
    reply_by = RECEIVED + timedelta(hours=3)
    result = classify(record(feed="assist", reply_by=reply_by), registry(designation()), POLICY)
    assert result.verification_due_at == RECEIVED + timedelta(hours=2)


def test_policy_loads_from_a_path(tmp_path: Path) -> None:
    source = tmp_path / "copy.yaml"
    bundled = resources.files("services.triage.policy") / "national-9th-edition.yaml"
    source.write_text(bundled.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_policy(source) == POLICY
    assert load_policy(str(source)) == POLICY
