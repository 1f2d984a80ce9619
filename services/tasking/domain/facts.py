"""What happened to a task, as the state machine reports it; services/tasking/events.py turns
each fact into its public event (this package imports no event model)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.tasking.domain.model import Assist, TestTask, Tier


@dataclass(frozen=True)
class Assigned:
    at: datetime


@dataclass(frozen=True)
class Revised:
    at: datetime
    reason: str


@dataclass(frozen=True)
class Started:
    at: datetime
    by: str


@dataclass(frozen=True)
class OutcomeRecorded:
    outcome: str
    measure_applied: str | None
    at: datetime
    by: str
    note: str | None
    request_id: str | None
    attempt: int


@dataclass(frozen=True)
class Requeued:
    attempt: int
    reason: str
    at: datetime
    due_at: datetime
    tier: Tier


@dataclass(frozen=True)
class Overdue:
    due_at: datetime
    at: datetime
    tier: Tier


@dataclass(frozen=True)
class Escalated:
    from_tier: Tier
    to_tier: Tier
    reason: str
    at: datetime
    due_at: datetime


@dataclass(frozen=True)
class Closed:
    outcome: str
    measure_applied: str
    at: datetime


@dataclass(frozen=True)
class TestScheduled:
    __test__ = False
    test: TestTask
    at: datetime


@dataclass(frozen=True)
class TestResultRecorded:
    __test__ = False
    test: TestTask
    at: datetime


@dataclass(frozen=True)
class TestOverdue:
    __test__ = False
    test: TestTask
    at: datetime


@dataclass(frozen=True)
class PositiveAlert:
    test: TestTask
    at: datetime


@dataclass(frozen=True)
class Resolved:
    resolution: str
    at: datetime


@dataclass(frozen=True)
class AssistReply:
    assist: Assist
    status: str
    measure_applied: str | None
    at: datetime


Fact = (Assigned | Revised | Started | OutcomeRecorded | Requeued | Overdue | Escalated | Closed
        | TestScheduled | TestResultRecorded | TestOverdue | PositiveAlert | Resolved
        | AssistReply)
