"""Events of the tasking service: verification task lifecycle and test tasks."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import Field

from contracts.events.base import Event
from contracts.events.common import Category, Location, LocationCodes, Measure, RiskLevel, SourceRef
from contracts.events.intake import Person
from contracts.types import AwareDatetime, NonEmptyStr, PersonKey

Note = Annotated[str, Field(max_length=2000)]


class Outcome(StrEnum):
    VERIFIED_MEASURE_APPLIED = "verified_measure_applied"
    VERIFIED_NO_RISK = "verified_no_risk"
    UNREACHABLE = "unreachable"
    SYSTEM_FAULT = "system_fault"
    NOT_IN_AREA = "not_in_area"


class Tier(StrEnum):
    """Who holds a task: grid worker, then township, then county (public security searches)."""

    GRID = "grid"
    TOWNSHIP = "township"
    COUNTY = "county"
    PUBLIC_SECURITY = "public_security"


class _TaskEvent(Event):
    topic: ClassVar[str] = "paicha.tasking.tasks.v1"
    key_field: ClassVar[str] = "task_id"

    task_id: NonEmptyStr
    case_id: NonEmptyStr
    person_key: PersonKey


class TaskAssigned(_TaskEvent):
    """A verification task for a case went to a grid (restricted: carries contact details)."""

    ce_type: ClassVar[str] = "cn.paicha.tasking.task.assigned.v1"

    person: Person
    current: Location
    grid_id: NonEmptyStr
    tier: Tier = Tier.GRID
    category: Category
    risk_level: RiskLevel
    measure: Measure
    due_at: AwareDatetime
    assigned_at: AwareDatetime
    attempt: Annotated[int, Field(ge=1)] = 1
    sources: list[SourceRef] = Field(min_length=1)


class TaskOutcomeRecorded(_TaskEvent):
    """A worker reported what they found."""

    ce_type: ClassVar[str] = "cn.paicha.tasking.task-outcome.recorded.v1"

    outcome: Outcome
    measure_applied: Measure | None = None
    recorded_at: AwareDatetime
    recorded_by: NonEmptyStr = Field(description="Worker account id (pseudonymous)")
    note: Note | None = None


class TaskOverdue(_TaskEvent):
    """The verification deadline passed without a verified outcome."""

    ce_type: ClassVar[str] = "cn.paicha.tasking.task.overdue.v1"

    due_at: AwareDatetime
    detected_at: AwareDatetime
    tier: Tier


class TaskEscalated(_TaskEvent):
    """The task moved up a tier (grid -> township -> county) after overdue or unreachable."""

    ce_type: ClassVar[str] = "cn.paicha.tasking.task.escalated.v1"

    from_tier: Tier
    to_tier: Tier
    reason: Annotated[str, Field(min_length=1, max_length=500)]
    escalated_at: AwareDatetime
    due_at: AwareDatetime | None = None


class TaskClosed(_TaskEvent):
    """The task is finished with a closing outcome."""

    ce_type: ClassVar[str] = "cn.paicha.tasking.task.closed.v1"

    outcome: Outcome
    measure_applied: Measure
    closed_at: AwareDatetime


class TestResult(StrEnum):
    __test__ = False  # not a pytest test class

    NEGATIVE = "negative"
    POSITIVE = "positive"
    INVALID = "invalid"
    NOT_TESTED = "not_tested"


class _TestEvent(Event):
    topic: ClassVar[str] = "paicha.tasking.tests.v1"
    key_field: ClassVar[str] = "test_task_id"

    test_task_id: NonEmptyStr
    case_id: NonEmptyStr
    person_key: PersonKey


class TestTaskScheduled(_TestEvent):
    """A test is due for a case on one of its policy test days (no PII)."""

    __test__ = False  # not a pytest test class
    ce_type: ClassVar[str] = "cn.paicha.tasking.test-task.scheduled.v1"

    day: Annotated[int, Field(ge=1, le=365)]
    test_date: date
    result_due_at: AwareDatetime
    current: LocationCodes
    scheduled_at: AwareDatetime


class TestResultRecorded(_TestEvent):
    """A testing team recorded a result."""

    __test__ = False
    ce_type: ClassVar[str] = "cn.paicha.tasking.test-result.recorded.v1"

    result: TestResult
    sampled_at: AwareDatetime | None = None
    recorded_at: AwareDatetime
