"""What the handlers take and give: a consumed message, messages to publish, and a summary of
what happened (for metrics and logs), independent of faust so handlers test without a broker."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from contracts.envelope import encode
from contracts.events import Event, RejectReason
from contracts.topics import CASES, RECORDS, REJECTED, RESOLUTIONS, RISK_AREAS, TopicRegistry
from services.triage.domain import Classification, Designation, DowngradeNoticed


@dataclass(frozen=True)
class TriageTopics:
    """Kafka names of the topics triage reads and writes, and the case partition count."""

    records: str
    commands: str  # internal, co-partitioned with records
    risk_areas: str
    cases: str
    rejected: str
    partitions: int
    resolutions: str = RESOLUTIONS  # co-partitioned with records (tasking's CaseResolved)

    @classmethod
    def from_registry(cls, registry: TopicRegistry, *, app_id: str,
                      partitions: int) -> TriageTopics:
        return cls(records=registry.name(RECORDS), commands=f"{app_id}-retriage-commands",
                   risk_areas=registry.name(RISK_AREAS), cases=registry.name(CASES),
                   rejected=registry.name(REJECTED), partitions=partitions,
                   resolutions=registry.name(RESOLUTIONS))


@dataclass(frozen=True)
class Incoming:
    """One consumed Kafka message (headers as a dict of bytes)."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: dict[str, bytes]


@dataclass(frozen=True)
class Outgoing:
    """One message to publish; `partition` None lets the key decide."""

    topic: str
    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]]
    partition: int | None = None

    @classmethod
    def event(cls, topic: str, event: Event, *, source: str, event_id: str,
              time: datetime | None = None) -> Outgoing:
        msg = encode(event, source=source, key=event.entity_key(), event_id=event_id, time=time)
        return cls(topic, msg.key, msg.value, msg.headers)


@dataclass(frozen=True)
class CaseChange:
    kind: str  # opened | merged | reclassified
    trigger: str  # record | designation
    classification: Classification
    received_at: datetime | None  # when intake accepted the triggering record


@dataclass
class Handled:
    """What handling one message produced."""

    outputs: list[Outgoing] = field(default_factory=list)
    changes: list[CaseChange] = field(default_factory=list)
    duplicates: int = 0
    rejected: list[RejectReason] = field(default_factory=list)
    downgrades: list[DowngradeNoticed] = field(default_factory=list)
    designations: list[Designation] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)  # resolutions that closed a case
    ignored_resolutions: list[str] = field(default_factory=list)  # stale | repeated | unknown

    def extend(self, other: Handled) -> None:
        self.outputs += other.outputs
        self.changes += other.changes
        self.duplicates += other.duplicates
        self.rejected += other.rejected
        self.downgrades += other.downgrades
        self.designations += other.designations
        self.closed += other.closed
        self.ignored_resolutions += other.ignored_resolutions
