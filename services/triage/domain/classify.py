"""Classify one record: its origin's risk level over the stay that counts, then its category,
measure, test days and deadlines under a policy (SPEC "Classification, precisely")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from contracts.vocabulary import Category, Measure, RiskLevel

from .model import RecordFacts, category_for
from .policy import Phase, Policy
from .risk_areas import RiskAreaRegistry


@dataclass(frozen=True)
class Classification:
    risk_level: RiskLevel  # the origin area's level (none for an arrival from abroad)
    category: Category
    measure: Measure
    measure_days: int
    followed_by: Phase | None
    test_days: tuple[int, ...]
    verification_due_at: datetime
    test_result_due_at: datetime | None  # None when the category has no tests
    policy_version: str
    notice_ids: tuple[str, ...] = ()  # the designations that set risk_level, for audit


def stay_window(facts: RecordFacts, lookback: timedelta) -> tuple[datetime, datetime] | None:
    """The stay that counts, as a closed interval, or None when it is empty.

    It runs from `lookback` before arrival to departure. Leaving exactly `lookback` before
    arrival leaves nothing inside the window, so it is empty too.
    """
    arrived = facts.arrived_at or facts.received_at
    start = arrived - lookback
    # A departure stamped after arrival is clock skew between sources: nobody is at the
    # origin after arriving here, so the stay ends at arrival at the latest.
    end = min(facts.departed_at or arrived, arrived)
    return (start, end) if end > start else None


def area_level(origin_code: str | None, stay: tuple[datetime, datetime] | None,
               registry: RiskAreaRegistry) -> tuple[RiskLevel, tuple[str, ...]]:
    """The origin's level over the stay, and the notices that decided it."""
    if origin_code is None or stay is None:
        return RiskLevel.NONE, ()
    covering = registry.covering(origin_code, *stay)
    if covering:
        top = max((d.level for d in covering), key=lambda level: level.rank)
        return top, tuple(sorted({d.notice_id for d in covering if d.level is top}))
    # The rest of a county that holds a designated area is low risk (低风险区).
    in_county = registry.in_county(origin_code, *stay)
    if in_county:
        return RiskLevel.LOW, tuple(sorted({d.notice_id for d in in_county}))
    return RiskLevel.NONE, ()


def classify(facts: RecordFacts, registry: RiskAreaRegistry, policy: Policy, *,
             counted_from: datetime | None = None) -> Classification:
    """Classify a record; deadlines count from `counted_from` (default: when intake accepted it).

    An assist request's reply-by time wins over the verification deadline when earlier.
    """
    level, notices = area_level(facts.origin_code, stay_window(facts, policy.lookback), registry)
    category = category_for(level, facts.exposure, policy.rank, inbound=facts.inbound)
    rule = policy.rule(category)
    start = counted_from or facts.received_at
    verification_due = start + rule.verification_deadline
    if facts.reply_by is not None and facts.reply_by < verification_due:
        verification_due = facts.reply_by
    return Classification(
        risk_level=level,
        category=category,
        measure=rule.measure,
        measure_days=rule.measure_days,
        followed_by=rule.followed_by,
        test_days=rule.test_days,
        verification_due_at=verification_due,
        test_result_due_at=(start + rule.test_result_deadline
                            if rule.test_result_deadline is not None else None),
        policy_version=policy.version,
        notice_ids=notices,
    )
