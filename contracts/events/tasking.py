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
RequestId = Annotated[str, Field(min_length=1, max_length=128)]


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
    pool_reason: Annotated[str, Field(min_length=1, max_length=500)] | None = Field(
        default=None, description="Set when no grid covers the person's village and the task "
        "went to the township or county pool (added in v1.1)")
    test_days: list[Annotated[int, Field(ge=1, le=365)]] | None = Field(
        default=None, description="Days (1 = arrival day) a test is due (added in v1.1)")


class TaskOutcomeRecorded(_TaskEvent):
    """A worker reported what they found."""

    ce_type: ClassVar[str] = "cn.paicha.tasking.task-outcome.recorded.v1"

    outcome: Outcome
    measure_applied: Measure | None = None
    recorded_at: AwareDatetime
    recorded_by: NonEmptyStr = Field(description="Worker account id (pseudonymous)")
    note: Note | None = None
    request_id: RequestId | None = Field(
        default=None, description="The client's request id; a repeat is answered, not applied "
        "twice (added in v1.1)")
    attempt: Annotated[int, Field(ge=1)] | None = Field(
        default=None, description="Which attempt this outcome ends (added in v1.1)")


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


class TaskRevised(_TaskEvent):
    """The case behind an open task was reclassified or merged: new deadline, measure, sources."""

    ce_type: ClassVar[str] = "cn.paicha.tasking.task.revised.v1"

    category: Category
    risk_level: RiskLevel
    measure: Measure
    due_at: AwareDatetime
    sources: list[SourceRef] = Field(min_length=1)
    revised_at: AwareDatetime
    reason: Annotated[str, Field(min_length=1, max_length=500)]


class TaskStarted(_TaskEvent):
    """A worker said they are on it (assigned -> in progress)."""

    ce_type: ClassVar[str] = "cn.paicha.tasking.task.started.v1"

    started_at: AwareDatetime
    started_by: NonEmptyStr = Field(description="Worker account id (pseudonymous)")


class TaskRequeued(_TaskEvent):
    """After an unreachable or system-fault outcome the task is due again (a new attempt)."""

    ce_type: ClassVar[str] = "cn.paicha.tasking.task.requeued.v1"

    attempt: Annotated[int, Field(ge=2)]
    reason: Outcome
    requeued_at: AwareDatetime
    due_at: AwareDatetime
    tier: Tier


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
    recorded_by: NonEmptyStr | None = Field(
        default=None, description="Account id that recorded it (added in v1.1)")
    request_id: RequestId | None = Field(
        default=None, description="The client's request id (added in v1.1)")


class TestTaskOverdue(_TestEvent):
    """A test's result was not in by the end of its day (a missed test)."""

    __test__ = False
    ce_type: ClassVar[str] = "cn.paicha.tasking.test-task.overdue.v1"

    day: Annotated[int, Field(ge=1, le=365)]
    result_due_at: AwareDatetime
    detected_at: AwareDatetime
    current: LocationCodes


class PositiveTestAlerted(_TestEvent):
    """A test came back positive: the alert the command centre and CDC act on at once."""

    ce_type: ClassVar[str] = "cn.paicha.tasking.positive-test.alerted.v1"

    day: Annotated[int, Field(ge=1, le=365)]
    current: LocationCodes
    alerted_at: AwareDatetime


class Resolution(StrEnum):
    """Why tasking is done with a case."""

    NO_RISK = "no_risk"
    NOT_IN_AREA = "not_in_area"
    MEASURE_COMPLETED = "measure_completed"


class CaseResolved(Event):
    """Tasking is done with a case (no risk, not in area, or measure period and tests done), so
    triage closes it and a later screening opens a new case. Keyed by person key, on as many
    partitions as the records topic, so triage reads it beside the person's records."""

    ce_type: ClassVar[str] = "cn.paicha.tasking.case.resolved.v1"
    topic: ClassVar[str] = "paicha.tasking.resolutions.v1"
    key_field: ClassVar[str] = "person_key"

    case_id: NonEmptyStr
    person_key: PersonKey
    task_id: NonEmptyStr
    resolution: Resolution
    resolved_at: AwareDatetime


class AssistReplyStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    MEASURE_APPLIED = "measure_applied"
    NO_RISK = "no_risk"
    NOT_IN_AREA = "not_in_area"


class AssistReplyIssued(Event):
    """A reply to the province that asked for an assist check (协查), when the task closes or,
    still in progress, at the reply-by time. An outbound adapter relays it (no PII)."""

    ce_type: ClassVar[str] = "cn.paicha.tasking.assist-reply.issued.v1"
    topic: ClassVar[str] = "paicha.tasking.assist-replies.v1"
    key_field: ClassVar[str] = "request_id"

    request_id: NonEmptyStr
    requesting_province: NonEmptyStr
    source_record_id: NonEmptyStr
    record_id: NonEmptyStr
    case_id: NonEmptyStr
    task_id: NonEmptyStr
    status: AssistReplyStatus
    measure_applied: Measure | None = None
    reply_by: AwareDatetime
    issued_at: AwareDatetime
