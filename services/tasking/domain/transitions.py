"""The task state machine: what a worker's start, outcome or test result, a revised case, new
contact details and a passing due time do to a task, and which facts that produces.

    assigned ──start──► in_progress ──verified / no risk / not in area──► closed
        │                   │
        └──── unreachable ──┴─► unreachable ──(retry delay)──► assigned (attempt + 1)
        └──── system fault ─┴─► system_fault ─(requeue delay)─► assigned (attempt + 1)
    N-th unreachable: escalated to public security (on-site search), assigned there.
    deadline passed: overdue, escalated grid → township → county with a new deadline each.

Every function mutates the task in place and returns the facts; an impossible move raises
TransitionError with the reason (the API answers 409 with it).
"""

from __future__ import annotations

from datetime import datetime

from services.tasking.domain import facts as f
from services.tasking.domain.model import (
    CLOSING,
    NEXT_TIER,
    Assist,
    Contact,
    Outcome,
    Source,
    Status,
    Task,
    TestResult,
    TestTask,
    Tier,
)
from services.tasking.domain.policy import Policy
from services.tasking.domain.times import measure_end, schedule_slots

NO_MEASURE = "none"
_RESOLUTION = {Outcome.VERIFIED_NO_RISK: "no_risk", Outcome.NOT_IN_AREA: "not_in_area"}
_REPLY = {Outcome.VERIFIED_MEASURE_APPLIED: "measure_applied",
          Outcome.VERIFIED_NO_RISK: "no_risk", Outcome.NOT_IN_AREA: "not_in_area"}


class TransitionError(Exception):
    """The move is impossible in the task's state; the message says why."""


def start(task: Task, by: str, now: datetime) -> list[f.Fact]:
    """assigned → in progress; a repeat on an in-progress task changes nothing."""
    if task.status == Status.IN_PROGRESS:
        return []
    if task.status == Status.CLOSED:
        raise TransitionError(f"task {task.task_id} is closed ({task.last_outcome}); "
                              "it cannot be started")
    if task.status in (Status.UNREACHABLE, Status.SYSTEM_FAULT):
        raise TransitionError(f"task {task.task_id} waits for its retry at "
                              f"{task.due_at.isoformat()} after {task.status}; start it then")
    task.status = Status.IN_PROGRESS
    return [f.Started(now, by)]


def record_outcome(task: Task, outcome: Outcome, *, measure_applied: str | None, by: str,
                   note: str | None, request_id: str, now: datetime, policy: Policy
                   ) -> list[f.Fact]:
    """Apply a worker's outcome once per request id (a repeat returns no facts)."""
    done = task.requests.get(request_id)
    if done is not None:
        if done != f"outcome:{outcome}":
            raise TransitionError(f"request id {request_id} was already used for {done}")
        return []
    _check_outcome(task, outcome, measure_applied)
    task.requests[request_id] = f"outcome:{outcome}"
    applied = measure_applied or (task.measure if outcome == Outcome.VERIFIED_MEASURE_APPLIED
                                  else None)
    out: list[f.Fact] = [f.OutcomeRecorded(outcome, applied, now, by, note, request_id,
                                           task.attempt)]
    task.last_outcome = outcome
    if outcome in CLOSING:
        out += _close(task, outcome, applied or NO_MEASURE, now, policy)
    elif outcome == Outcome.UNREACHABLE:
        task.unreachable_attempts += 1
        if (task.unreachable_attempts >= policy.max_unreachable_attempts
                and task.tier != Tier.PUBLIC_SECURITY):
            out += _escalate(task, Tier.PUBLIC_SECURITY, now, policy,
                             f"unreachable {task.unreachable_attempts} times: on-site search")
            task.status, task.attempt = Status.ASSIGNED, task.attempt + 1
        else:
            task.status, task.due_at = Status.UNREACHABLE, now + policy.unreachable_retry
            task.deadline_missed = False
    else:
        task.status, task.due_at = Status.SYSTEM_FAULT, now + policy.system_fault_requeue
        task.deadline_missed = False
    return out


def _check_outcome(task: Task, outcome: Outcome, measure_applied: str | None) -> None:
    if task.status == Status.CLOSED:
        raise TransitionError(f"task {task.task_id} is already closed ({task.last_outcome} at "
                              f"{task.closed_at.isoformat() if task.closed_at else '?'}); "
                              f"{outcome} cannot be recorded")
    if task.status in (Status.UNREACHABLE, Status.SYSTEM_FAULT) and outcome not in CLOSING:
        raise TransitionError(f"task {task.task_id} already waits for its retry at "
                              f"{task.due_at.isoformat()} ({task.status}); only a verified or "
                              "not-in-area outcome can be recorded before then")
    if measure_applied is not None and outcome != Outcome.VERIFIED_MEASURE_APPLIED:
        raise TransitionError(f"measure_applied goes only with verified_measure_applied, "
                              f"not {outcome}")
    if measure_applied == NO_MEASURE:
        raise TransitionError("verified_measure_applied needs the measure that was applied")


def _close(task: Task, outcome: Outcome, applied: str, now: datetime, policy: Policy
           ) -> list[f.Fact]:
    task.status, task.closed_at, task.measure_applied = Status.CLOSED, now, applied
    out: list[f.Fact] = [f.Closed(outcome, applied, now)]
    for assist in task.assists:
        out += _final_reply(task, assist, now)
    if outcome in _RESOLUTION:
        task.resolved = True
        return [*out, f.Resolved(_RESOLUTION[outcome], now)]
    arrived = task.arrived_at or task.first_received_at
    task.measure_ends_at = measure_end(arrived, task.measure_days + task.followup_days)
    for slot in schedule_slots(arrived, task.test_days, policy.test_result_due):
        if slot.result_due_at <= now:
            continue  # a day already over when the measure was applied: nobody can test then
        test = TestTask(f"{task.task_id}-d{slot.day}", slot.day, slot.test_date,
                        slot.result_due_at)
        task.tests.append(test)
        out.append(f.TestScheduled(test, now))
    return out + _maybe_resolve(task, now)


def _final_reply(task: Task, assist: Assist, now: datetime) -> list[f.Fact]:
    if assist.final_sent or task.status != Status.CLOSED or task.last_outcome is None:
        return []
    assist.final_sent = True
    applied = task.measure_applied if task.last_outcome == Outcome.VERIFIED_MEASURE_APPLIED \
        else None
    return [f.AssistReply(assist, _REPLY[Outcome(task.last_outcome)], applied, now)]


def _escalate(task: Task, to: Tier, now: datetime, policy: Policy, reason: str
              ) -> list[f.Fact]:
    before = task.tier
    task.tier, task.escalations = to, task.escalations + 1
    task.due_at, task.deadline_missed = now + policy.escalation_deadline(to), False
    return [f.Escalated(before, to, reason, now, task.due_at)]


def _maybe_resolve(task: Task, now: datetime) -> list[f.Fact]:
    if (task.resolved or task.status != Status.CLOSED or task.measure_ends_at is None
            or now < task.measure_ends_at or not all(t.settled for t in task.tests)):
        return []
    task.resolved = True
    return [f.Resolved("measure_completed", now)]


def record_test_result(task: Task, test: TestTask, result: TestResult, *, sampled_at:
                       datetime | None, by: str, request_id: str, now: datetime
                       ) -> list[f.Fact]:
    """A test's result; the same request id again changes nothing; a later request corrects."""
    if test.request_id == request_id:
        if test.result != result:
            raise TransitionError(f"request id {request_id} already recorded {test.result}")
        return []
    before = test.result
    test.result, test.request_id, test.sampled_at = result, request_id, sampled_at
    test.recorded_at, test.recorded_by = now, by
    out: list[f.Fact] = [f.TestResultRecorded(test, now)]
    if result == TestResult.POSITIVE and before != TestResult.POSITIVE:
        out.append(f.PositiveAlert(test, now))
    return out + _maybe_resolve(task, now)


def next_due(task: Task) -> datetime | None:
    """The earliest time something is due on this task, or None (no timers left)."""
    due: list[datetime] = []
    if task.open and not task.deadline_missed:
        due.append(task.due_at)
    if task.open:
        due += [a.reply_by for a in task.assists if not a.in_progress_sent and not a.final_sent]
    due += [t.result_due_at for t in task.tests if not t.settled]
    if (task.measure_ends_at is not None and not task.resolved and task.status == Status.CLOSED
            and all(t.settled for t in task.tests)):
        due.append(task.measure_ends_at)
    return min(due) if due else None


def fire(task: Task, now: datetime, policy: Policy) -> list[f.Fact]:
    """Everything due at ``now``: requeue, overdue and escalation, missed tests, in-progress
    assist replies, the end of the measure period. Firing twice at once yields nothing new."""
    out: list[f.Fact] = []
    if task.open and not task.deadline_missed and task.due_at <= now:
        if task.status in (Status.UNREACHABLE, Status.SYSTEM_FAULT):
            reason = task.status.value
            task.status, task.attempt = Status.ASSIGNED, task.attempt + 1
            task.due_at = now + policy.requeue_deadline
            out.append(f.Requeued(task.attempt, reason, now, task.due_at, task.tier))
        else:
            out.append(f.Overdue(task.due_at, now, task.tier))
            higher = NEXT_TIER.get(task.tier)
            if higher is None:
                task.deadline_missed = True  # the top tier holds it; nothing further to chase
            else:
                out += _escalate(task, higher, now, policy, "verification deadline passed")
    for test in task.tests:
        if not test.settled and test.result_due_at <= now:
            test.overdue = True
            out.append(f.TestOverdue(test, now))
    if task.open:
        for assist in task.assists:
            if not assist.in_progress_sent and not assist.final_sent and assist.reply_by <= now:
                assist.in_progress_sent = True
                out.append(f.AssistReply(assist, "in_progress", None, now))
    return out + _maybe_resolve(task, now)


def attach_contact(task: Task, contact: Contact, arrived_at: datetime | None, now: datetime
                   ) -> list[f.Fact]:
    """The person's contact details arrived (or changed): the task can be announced."""
    task.contact = contact
    if arrived_at is not None and arrived_at != task.arrived_at:  # the same instant in another
        task.arrived_at = arrived_at  # time zone (a copy not read back from the store) is no change
    if task.announced:
        return []
    task.announced = True
    return [f.Assigned(now)]


def add_assist(task: Task, assist: Assist, now: datetime) -> list[f.Fact]:
    """An assist request behind one of the task's records: replied now if the task is closed."""
    if any(a.request_id == assist.request_id for a in task.assists):
        return []
    task.assists.append(assist)
    return _final_reply(task, assist, now)


def revise(task: Task, *, category: str, risk_level: str, measure: str, measure_days: int,
           followup_days: int, test_days: list[int], due_at: datetime, sources: list[Source],
           reason: str, now: datetime) -> list[f.Fact]:
    """A reclassified or merged case updates its open task (never a second task). The deadline
    follows the case while the task is still with its first holder and not waiting for a retry;
    a closed task only collects the new sources."""
    known = {s.record_id for s in task.sources}
    added = [s for s in sources if s.record_id not in known]
    task.sources += added
    if not task.open:
        return []
    before = (task.category, task.risk_level, task.measure, task.measure_days,
              task.followup_days, task.test_days, task.due_at)
    task.category, task.risk_level, task.measure = category, risk_level, measure
    task.measure_days, task.followup_days, task.test_days = measure_days, followup_days, \
        sorted(test_days)
    if task.escalations == 0 and task.status in (Status.ASSIGNED, Status.IN_PROGRESS):
        # The store keeps times to the millisecond and case events carry microseconds: the
        # same deadline read back from the store must not count as a change (a replay of the
        # cases topic would otherwise revise every open task to the deadline it already has).
        due_at = due_at.replace(microsecond=due_at.microsecond // 1000 * 1000)
        if due_at != task.due_at:
            task.due_at, task.deadline_missed = due_at, False
    after = (task.category, task.risk_level, task.measure, task.measure_days,
             task.followup_days, task.test_days, task.due_at)
    if before == after and not added:
        return []
    return [f.Revised(now, reason)]
