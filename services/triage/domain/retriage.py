"""Re-triage open cases when a designation arrives or changes: upward reclassifications are
returned to apply; would-be downgrades are only noticed, for a person to decide."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from contracts.vocabulary import Category

from .cases import Case, CaseStatus, Decision, DecisionKind
from .classify import Classification, classify
from .model import RecordFacts, check_aware
from .policy import Policy
from .risk_areas import Designation, RiskAreaRegistry


@dataclass(frozen=True)
class DowngradeNoticed:
    case_id: str
    person_key: str
    current: Category
    would_be: Category
    area_code: str  # the designation that prompted the re-triage
    notice_id: str
    noticed_at: datetime


@dataclass(frozen=True)
class RetriageResult:
    reclassified: tuple[Decision, ...]
    downgrades: tuple[DowngradeNoticed, ...]


def retriage(designation: Designation, cases: Iterable[Case], registry: RiskAreaRegistry,
             policy: Policy, now: datetime) -> RetriageResult:
    """Re-classify the open cases with a record from the designation's county.

    `registry` must already hold `designation`. New deadlines count from `now` (pass the
    designation event's time so a replay derives the same deadlines).
    """
    check_aware(now, "now")
    county = designation.area_code[:6]
    raised: list[Decision] = []
    noticed: list[DowngradeNoticed] = []
    for case in sorted(cases, key=lambda c: c.case_id):
        # Only this county's records can change: a designation makes the rest of its county low.
        if case.status is not CaseStatus.OPEN or not any(
                r.origin_code and r.origin_code[:6] == county for r in case.records):
            continue
        record_id, found = _most_severe(case.records, registry, policy, now)
        current = case.classification
        if policy.rank(found.category) > policy.rank(current.category):
            updated = replace(case, classification=found, classified_by=record_id)
            raised.append(Decision(DecisionKind.RECLASSIFIED, updated, record_id, current))
        elif policy.rank(found.category) < policy.rank(current.category):
            noticed.append(DowngradeNoticed(case.case_id, case.person_key, current.category,
                                            found.category, designation.area_code,
                                            designation.notice_id, now))
    return RetriageResult(tuple(raised), tuple(noticed))


def _most_severe(records: tuple[RecordFacts, ...], registry: RiskAreaRegistry, policy: Policy,
                 now: datetime) -> tuple[str, Classification]:
    best: tuple[str, Classification] | None = None
    for record in records:
        # A reply-by already past concerned the original check, not this new one.
        facts = record if record.reply_by is None or record.reply_by > now else replace(
            record, reply_by=None)
        found = classify(facts, registry, policy, counted_from=now)
        if best is None or policy.rank(found.category) > policy.rank(best[1].category):
            best = (record.record_id, found)
    if best is None:
        raise ValueError("a case has at least one record")
    return best
