"""Facts of the state machine -> public events (contracts.events.tasking) -> outbox entries.

An outbox entry is what the task document keeps until Kafka acknowledged it: event id, logical
topic, key, type, JSON data and time. Event ids derive from (task id, document version, index),
so a re-publish after a crash carries the same id.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from contracts import events as ev
from contracts.envelope import derived_event_id
from services.tasking.domain import facts as f
from services.tasking.domain.model import Task, TestTask


def _task_ids(task: Task) -> dict[str, Any]:
    return {"task_id": task.task_id, "case_id": task.case_id, "person_key": task.person_key}


def _test_ids(task: Task, test: TestTask) -> dict[str, Any]:
    return {"test_task_id": test.test_task_id, "case_id": task.case_id,
            "person_key": task.person_key}


def codes(task: Task) -> ev.LocationCodes:
    return ev.LocationCodes(county_code=task.county_code, township_code=task.township_code,
                            village_code=task.village_code)


def location(task: Task) -> ev.Location:
    return ev.Location(county_code=task.county_code, township_code=task.township_code,
                       village_code=task.village_code,
                       address=task.contact.address if task.contact else None)


def sources(task: Task) -> list[ev.SourceRef]:
    return [ev.SourceRef(feed=ev.Feed(s.feed), source_record_id=s.source_record_id,
                         record_id=s.record_id, received_at=s.received_at) for s in task.sources]


def to_event(task: Task, fact: f.Fact) -> ev.Event:
    ids = _task_ids(task)
    match fact:
        case f.Assigned(at=at):
            assert task.contact is not None, "TaskAssigned needs the contact details"
            c = task.contact
            person = ev.Person(name=c.name, id_type=ev.IdType(c.id_type), id_number=c.id_number,
                               mobile=c.mobile)
            return ev.TaskAssigned(
                **ids, person=person, current=location(task), grid_id=task.grid_id,
                tier=ev.Tier(task.tier), category=ev.Category(task.category),
                risk_level=ev.RiskLevel(task.risk_level), measure=ev.Measure(task.measure),
                due_at=task.due_at, assigned_at=at, attempt=task.attempt, sources=sources(task),
                pool_reason=task.pool_reason, test_days=task.test_days or None)
        case f.Revised(at=at, reason=reason):
            return ev.TaskRevised(**ids, category=ev.Category(task.category),
                                  risk_level=ev.RiskLevel(task.risk_level),
                                  measure=ev.Measure(task.measure), due_at=task.due_at,
                                  sources=sources(task), revised_at=at, reason=reason[:500])
        case f.Started(at=at, by=by):
            return ev.TaskStarted(**ids, started_at=at, started_by=by)
        case f.OutcomeRecorded():
            return ev.TaskOutcomeRecorded(
                **ids, outcome=ev.Outcome(fact.outcome),
                measure_applied=ev.Measure(fact.measure_applied) if fact.measure_applied
                else None, recorded_at=fact.at, recorded_by=fact.by, note=fact.note,
                request_id=fact.request_id, attempt=fact.attempt)
        case f.Requeued():
            return ev.TaskRequeued(**ids, attempt=fact.attempt, reason=ev.Outcome(fact.reason),
                                   requeued_at=fact.at, due_at=fact.due_at,
                                   tier=ev.Tier(fact.tier))
        case f.Overdue():
            return ev.TaskOverdue(**ids, due_at=fact.due_at, detected_at=fact.at,
                                  tier=ev.Tier(fact.tier))
        case f.Escalated():
            return ev.TaskEscalated(**ids, from_tier=ev.Tier(fact.from_tier),
                                    to_tier=ev.Tier(fact.to_tier), reason=fact.reason,
                                    escalated_at=fact.at, due_at=fact.due_at)
        case f.Closed():
            return ev.TaskClosed(**ids, outcome=ev.Outcome(fact.outcome),
                                 measure_applied=ev.Measure(fact.measure_applied),
                                 closed_at=fact.at)
        case f.Resolved():
            return ev.CaseResolved(case_id=task.case_id, person_key=task.person_key,
                                   task_id=task.task_id,
                                   resolution=ev.Resolution(fact.resolution),
                                   resolved_at=fact.at)
        case f.AssistReply(assist=a):
            return ev.AssistReplyIssued(
                request_id=a.request_id, requesting_province=a.requesting_province,
                source_record_id=a.source_record_id, record_id=a.record_id,
                case_id=task.case_id, task_id=task.task_id,
                status=ev.AssistReplyStatus(fact.status),
                measure_applied=ev.Measure(fact.measure_applied) if fact.measure_applied
                else None, reply_by=a.reply_by, issued_at=fact.at)
        case _:
            return _test_event(task, fact)


def _test_event(task: Task, fact: f.Fact) -> ev.Event:
    match fact:
        case f.TestScheduled(test=t):
            return ev.TestTaskScheduled(**_test_ids(task, t), day=t.day, test_date=t.test_date,
                                        result_due_at=t.result_due_at, current=codes(task),
                                        scheduled_at=fact.at)
        case f.TestResultRecorded(test=t):
            assert t.result is not None
            return ev.TestResultRecorded(**_test_ids(task, t), result=ev.TestResult(t.result),
                                         sampled_at=t.sampled_at, recorded_at=fact.at,
                                         recorded_by=t.recorded_by, request_id=t.request_id)
        case f.TestOverdue(test=t):
            return ev.TestTaskOverdue(**_test_ids(task, t), day=t.day,
                                      result_due_at=t.result_due_at, detected_at=fact.at,
                                      current=codes(task))
        case f.PositiveAlert(test=t):
            return ev.PositiveTestAlerted(**_test_ids(task, t), day=t.day, current=codes(task),
                                          alerted_at=fact.at)
    raise TypeError(f"no event for {fact!r}")


def _to_milliseconds(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.replace(microsecond=value.microsecond // 1000 * 1000)
    if isinstance(value, dict):
        return {k: _to_milliseconds(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_milliseconds(v) for v in value]
    return value


def at_store_precision(event: ev.Event) -> ev.Event:
    """The event with its times cut to milliseconds, the precision the store (BSON dates) keeps
    a task's times in. Without it an event sent right after a change (TaskEscalated: due_at to
    the microsecond) and one sent after the task went through the store (the TaskOverdue of that
    same deadline) would disagree about one deadline, and a consumer comparing them (reporting's
    "overdue now") would see a later deadline that is not there."""
    return type(event).model_validate(_to_milliseconds(event.model_dump()))


def outbox_entries(task: Task, facts: list[f.Fact], version: int, now: datetime
                   ) -> list[dict[str, Any]]:
    """The outbox entries of a change that makes the task document ``version``."""
    out = []
    for index, fact in enumerate(facts):
        event = at_store_precision(to_event(task, fact))
        out.append({"id": derived_event_id(task.task_id, version, index), "topic": event.topic,
                    "key": event.entity_key(), "type": event.ce_type,
                    "data": event.model_dump_json(), "time": now})
    return out
