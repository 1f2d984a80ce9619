"""The task a grid worker verifies, its test follow-ups and assist-reply duties, as plain data.

Stored as one document per task (adapters/mongo_store.py): every change of a task is one
single-document write, its events go into the same document's outbox.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class Status(StrEnum):
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    UNREACHABLE = "unreachable"
    SYSTEM_FAULT = "system_fault"
    CLOSED = "closed"


OPEN_STATUSES = (Status.ASSIGNED, Status.IN_PROGRESS, Status.UNREACHABLE, Status.SYSTEM_FAULT)


class Tier(StrEnum):
    """Same values as contracts.events.tasking.Tier (a unit test keeps them equal)."""

    GRID = "grid"
    TOWNSHIP = "township"
    COUNTY = "county"
    PUBLIC_SECURITY = "public_security"


NEXT_TIER = {Tier.GRID: Tier.TOWNSHIP, Tier.TOWNSHIP: Tier.COUNTY}


class Outcome(StrEnum):
    """Same values as contracts.events.tasking.Outcome."""

    VERIFIED_MEASURE_APPLIED = "verified_measure_applied"
    VERIFIED_NO_RISK = "verified_no_risk"
    UNREACHABLE = "unreachable"
    SYSTEM_FAULT = "system_fault"
    NOT_IN_AREA = "not_in_area"


CLOSING = (Outcome.VERIFIED_MEASURE_APPLIED, Outcome.VERIFIED_NO_RISK, Outcome.NOT_IN_AREA)


class TestResult(StrEnum):
    __test__ = False
    NEGATIVE = "negative"
    POSITIVE = "positive"
    INVALID = "invalid"
    NOT_TESTED = "not_tested"


@dataclass
class Source:
    feed: str
    source_record_id: str
    record_id: str
    received_at: datetime


@dataclass
class TestTask:
    __test__ = False
    test_task_id: str
    day: int
    test_date: date
    result_due_at: datetime
    result: str | None = None
    request_id: str | None = None
    sampled_at: datetime | None = None
    recorded_at: datetime | None = None
    recorded_by: str | None = None
    overdue: bool = False

    @property
    def settled(self) -> bool:
        """Nothing more is expected: a result is in, or the day passed without one."""
        return self.result is not None or self.overdue


@dataclass
class Assist:
    """A 协查 request behind the task: the requesting province gets a reply."""

    record_id: str
    source_record_id: str
    request_id: str
    requesting_province: str
    reply_by: datetime
    in_progress_sent: bool = False
    final_sent: bool = False


@dataclass
class Contact:
    """The person's contact details from the restricted records topic (PII)."""

    name: str
    id_type: str
    id_number: str
    mobile: str | None
    address: str | None


@dataclass
class Task:
    task_id: str
    case_id: str
    person_key: str
    status: Status
    tier: Tier
    grid_id: str
    county_code: str
    township_code: str | None
    village_code: str | None
    category: str
    risk_level: str
    measure: str
    measure_days: int
    followup_days: int
    test_days: list[int]
    sources: list[Source]
    due_at: datetime
    assigned_at: datetime
    pool_reason: str | None = None
    attempt: int = 1
    unreachable_attempts: int = 0
    deadline_missed: bool = False  # the current due_at passed at the top tier: no more timers
    escalations: int = 0
    last_outcome: str | None = None
    measure_applied: str | None = None
    closed_at: datetime | None = None
    resolved: bool = False
    measure_ends_at: datetime | None = None
    arrived_at: datetime | None = None
    contact: Contact | None = None
    announced: bool = False  # TaskAssigned went out (it needs the contact details)
    tests: list[TestTask] = field(default_factory=list)
    assists: list[Assist] = field(default_factory=list)
    requests: dict[str, str] = field(default_factory=dict)  # client request id -> what it did

    @property
    def open(self) -> bool:
        return self.status != Status.CLOSED

    @property
    def first_received_at(self) -> datetime:
        return min(s.received_at for s in self.sources)

    def test(self, test_task_id: str) -> TestTask | None:
        return next((t for t in self.tests if t.test_task_id == test_task_id), None)
