"""One case per person: the first record opens it, later ones merge into it, a more severe one
reclassifies it (never a less severe one), and a record already seen changes nothing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from .classify import Classification, classify
from .model import RecordFacts
from .policy import Policy
from .risk_areas import RiskAreaRegistry

# Fixed namespace so a replay derives the same case id from the same person and first record.
CASE_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:paicha:triage:case")


def case_id_for(person_key: str, first_record_id: str) -> str:
    return str(uuid.uuid5(CASE_NAMESPACE, f"{person_key}\n{first_record_id}"))


class CaseStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True)
class SourceRef:
    feed: str
    source_record_id: str
    record_id: str
    received_at: datetime


@dataclass(frozen=True)
class Case:
    case_id: str
    person_key: str
    classification: Classification
    classified_by: str  # record id whose facts and received_at set the classification
    records: tuple[RecordFacts, ...]  # kept whole so re-triage can re-read their origins
    status: CaseStatus = CaseStatus.OPEN

    @property
    def sources(self) -> tuple[SourceRef, ...]:
        return tuple(SourceRef(r.feed, r.source_record_id, r.record_id, r.received_at)
                     for r in self.records)

    def has_seen(self, facts: RecordFacts) -> bool:
        return any(r.source_key == facts.source_key or r.record_id == facts.record_id
                   for r in self.records)

    def closed(self) -> Case:
        return replace(self, status=CaseStatus.CLOSED)


class DecisionKind(StrEnum):
    OPENED = "opened"
    MERGED = "merged"
    RECLASSIFIED = "reclassified"
    DUPLICATE = "duplicate"


@dataclass(frozen=True)
class Decision:
    kind: DecisionKind
    case: Case  # the case after the decision (unchanged for a duplicate)
    record_id: str  # the record that led to it
    previous: Classification | None = None  # the replaced classification, when reclassified


def apply_record(case: Case | None, facts: RecordFacts, registry: RiskAreaRegistry,
                 policy: Policy) -> Decision:
    """Decide what a record does to the person's current case (None when they have none)."""
    if case is not None and case.person_key != facts.person_key:
        raise ValueError("the record belongs to another person than the case")
    if case is not None and case.has_seen(facts):
        return Decision(DecisionKind.DUPLICATE, case, facts.record_id)
    found = classify(facts, registry, policy)
    if case is None or case.status is CaseStatus.CLOSED:
        # A person whose earlier case is closed is screened afresh, under a new case id.
        opened = Case(case_id_for(facts.person_key, facts.record_id), facts.person_key,
                      found, facts.record_id, (facts,))
        return Decision(DecisionKind.OPENED, opened, facts.record_id)
    records = (*case.records, facts)
    if policy.rank(found.category) > policy.rank(case.classification.category):
        raised = replace(case, classification=found, classified_by=facts.record_id,
                         records=records)
        return Decision(DecisionKind.RECLASSIFIED, raised, facts.record_id, case.classification)
    # Equal or lower severity never downgrades: the stricter measure already in place stays.
    return Decision(DecisionKind.MERGED, replace(case, records=records), facts.record_id)
