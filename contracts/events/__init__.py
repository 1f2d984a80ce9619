"""Every public event model, and the lookup from CloudEvents type to model."""

from __future__ import annotations

from contracts.events.base import Event
from contracts.events.common import (
    AreaLevel,
    Category,
    Exposure,
    Feed,
    IdType,
    Location,
    LocationCodes,
    Measure,
    RiskLevel,
    SourceRef,
)
from contracts.events.intake import (
    AssistDetails,
    BigdataDetails,
    BigdataSignal,
    ContactKind,
    ContactsDetails,
    InputRejected,
    IntakeChannel,
    Origin,
    Person,
    RecordReceived,
    RejectReason,
    ScreeningDetails,
    SelfreportChannel,
    SelfreportDetails,
)
from contracts.events.reporting import DailyReportClosed, FeedCounts, MeasureCounts, StatusCounts
from contracts.events.tasking import (
    Outcome,
    TaskAssigned,
    TaskClosed,
    TaskEscalated,
    TaskOutcomeRecorded,
    TaskOverdue,
    TestResult,
    TestResultRecorded,
    TestTaskScheduled,
    Tier,
)
from contracts.events.triage import (
    CaseMerged,
    CaseOpened,
    CaseReclassified,
    CaseState,
    RiskAreaDesignated,
)

ALL_EVENTS: tuple[type[Event], ...] = (
    RecordReceived,
    InputRejected,
    RiskAreaDesignated,
    CaseOpened,
    CaseMerged,
    CaseReclassified,
    TaskAssigned,
    TaskOutcomeRecorded,
    TaskOverdue,
    TaskEscalated,
    TaskClosed,
    TestTaskScheduled,
    TestResultRecorded,
    DailyReportClosed,
)
EVENT_TYPES: dict[str, type[Event]] = {model.ce_type: model for model in ALL_EVENTS}


def model_for(ce_type: str) -> type[Event]:
    """The model class for a CloudEvents type; KeyError if the type is not public."""
    return EVENT_TYPES[ce_type]


__all__ = [
    "ALL_EVENTS",
    "EVENT_TYPES",
    "AreaLevel",
    "AssistDetails",
    "BigdataDetails",
    "BigdataSignal",
    "CaseMerged",
    "CaseOpened",
    "CaseReclassified",
    "CaseState",
    "Category",
    "ContactKind",
    "ContactsDetails",
    "DailyReportClosed",
    "Event",
    "Exposure",
    "Feed",
    "FeedCounts",
    "IdType",
    "InputRejected",
    "IntakeChannel",
    "Location",
    "LocationCodes",
    "Measure",
    "MeasureCounts",
    "Origin",
    "Outcome",
    "Person",
    "RecordReceived",
    "RejectReason",
    "RiskAreaDesignated",
    "RiskLevel",
    "ScreeningDetails",
    "SelfreportChannel",
    "SelfreportDetails",
    "SourceRef",
    "StatusCounts",
    "TaskAssigned",
    "TaskClosed",
    "TaskEscalated",
    "TaskOutcomeRecorded",
    "TaskOverdue",
    "TestResult",
    "TestResultRecorded",
    "TestTaskScheduled",
    "Tier",
    "model_for",
]
