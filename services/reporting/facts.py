"""From a public event to the small fact reporting keeps (no PII: ids, times, codes, values).

Records are keyed by feed + source record id (the counting rule's identity), so a record and
the case sources that mention it meet whatever order they arrive in.
"""

from __future__ import annotations

from typing import Any

from contracts.events import (
    CaseClosed,
    CaseMerged,
    CaseOpened,
    CaseReclassified,
    CaseResolved,
    Event,
    InputRejected,
    PositiveTestAlerted,
    RecordReceived,
    RiskAreaDesignated,
    SourceRef,
    TaskAssigned,
    TaskClosed,
    TaskEscalated,
    TaskOutcomeRecorded,
    TaskOverdue,
    TaskRequeued,
    TaskRevised,
    TaskStarted,
    TestResultRecorded,
    TestTaskOverdue,
    TestTaskScheduled,
)

Fact = dict[str, Any]
# Ties at the same classified_at: the later step of a case's life wins.
_CASE_RANK = {CaseOpened: 0, CaseMerged: 1, CaseReclassified: 2, CaseClosed: 3}


def record_key(feed: str, source_record_id: str) -> str:
    return f"{feed}/{source_record_id}"


def _v(value: Any) -> str:
    return str(getattr(value, "value", value))


def _sources(sources: list[SourceRef]) -> list[dict[str, str]]:
    # Objects, not pairs: FerretDB v1 stores no nested arrays.
    return [{"rec": record_key(_v(s.feed), s.source_record_id), "feed": _v(s.feed),
             "at": s.received_at.isoformat()} for s in sources]


def fact_of(event: Event) -> Fact | None:
    """The fact an event contributes, or None for events reporting does not count."""
    match event:
        case RecordReceived():
            return {"k": "record", "rec": record_key(_v(event.feed), event.source_record_id),
                    "rid": event.record_id, "feed": _v(event.feed),
                    "at": event.received_at.isoformat(), "tw": event.current.township_code}
        case InputRejected():
            return {"k": "rejected", "id": event.rejection_id, "feed": event.feed,
                    "reason": _v(event.reason), "at": event.received_at.isoformat()}
        case CaseOpened() | CaseMerged() | CaseReclassified() | CaseClosed():
            return {"k": "case", "case": event.case_id, "at": event.classified_at.isoformat(),
                    "rank": _CASE_RANK[type(event)], "cat": _v(event.category),
                    "lvl": _v(event.risk_level), "msr": _v(event.measure),
                    "tw": event.current.township_code, "src": _sources(event.sources)}
        case RiskAreaDesignated():
            return {"k": "area", "area": event.area_code, "level": _v(event.level),
                    "at": (event.designated_at or event.effective_from).isoformat()}
        case CaseResolved():
            return {"k": "resolved", "case": event.case_id, "resolution": _v(event.resolution),
                    "at": event.resolved_at.isoformat()}
    return _task_fact(event) or _test_fact(event)


def _task_fact(event: Event) -> Fact | None:
    base: Fact
    match event:
        case TaskAssigned():
            base = {"ev": "assigned", "at": event.assigned_at, "due": event.due_at,
                    "src": _sources(event.sources)}
        case TaskRevised():
            base = {"ev": "revised", "at": event.revised_at, "due": event.due_at,
                    "src": _sources(event.sources)}
        case TaskStarted():
            base = {"ev": "started", "at": event.started_at}
        case TaskOutcomeRecorded():
            base = {"ev": "outcome", "at": event.recorded_at, "outcome": _v(event.outcome),
                    "measure": _v(event.measure_applied) if event.measure_applied else None}
        case TaskRequeued():
            base = {"ev": "requeued", "at": event.requeued_at, "due": event.due_at}
        case TaskOverdue():
            base = {"ev": "overdue", "at": event.detected_at, "due": event.due_at}
        case TaskEscalated():
            base = {"ev": "escalated", "at": event.escalated_at, "due": event.due_at,
                    "tier": _v(event.to_tier)}
        case TaskClosed():
            base = {"ev": "closed", "at": event.closed_at, "outcome": _v(event.outcome),
                    "measure": _v(event.measure_applied)}
        case _:
            return None
    fact = {"k": "task", "task": event.task_id, "case": event.case_id}  # type: ignore[attr-defined]
    for key, value in base.items():
        fact[key] = value.isoformat() if hasattr(value, "isoformat") else value
    return fact


def _test_fact(event: Event) -> Fact | None:
    match event:
        case TestTaskScheduled():
            extra: Fact = {"ev": "scheduled", "at": event.scheduled_at.isoformat(),
                           "date": event.test_date.isoformat()}
        case TestResultRecorded():
            extra = {"ev": "result", "at": event.recorded_at.isoformat(),
                     "result": _v(event.result)}
        case TestTaskOverdue():
            extra = {"ev": "overdue", "at": event.detected_at.isoformat()}
        case PositiveTestAlerted():
            extra = {"ev": "positive", "at": event.alerted_at.isoformat()}
        case _:
            return None
    return {"k": "test", "test": event.test_task_id, "case": event.case_id,  # type: ignore[attr-defined]
            **extra}
