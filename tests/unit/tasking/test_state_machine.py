"""The task state machine: every legal move, every impossible one with its reason, retries,
escalation with a moved clock, tests and case resolution."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.tasking.domain import facts as f
from services.tasking.domain.model import Assist, Outcome, Status, TestResult, Tier
from services.tasking.domain.transitions import (
    TransitionError,
    add_assist,
    attach_contact,
    fire,
    next_due,
    record_outcome,
    record_test_result,
    revise,
    start,
)
from tests.unit.tasking.builders import CONTACT, POLICY, T0, task

NOW = T0 + timedelta(minutes=10)


def outcome(t, what, request_id="r1", now=NOW, measure=None):  # type: ignore[no-untyped-def]
    return record_outcome(t, Outcome(what), measure_applied=measure, by="w1", note=None,
                          request_id=request_id, now=now, policy=POLICY)


def kinds(facts: list[f.Fact]) -> list[str]:
    return [type(x).__name__ for x in facts]


def test_start_moves_assigned_to_in_progress_once() -> None:
    t = task()
    assert kinds(start(t, "w1", NOW)) == ["Started"] and t.status == Status.IN_PROGRESS
    assert start(t, "w1", NOW) == []


@pytest.mark.parametrize("status", [Status.ASSIGNED, Status.IN_PROGRESS])
def test_measure_applied_closes_and_schedules_the_tests(status: Status) -> None:
    t = task(status=status)
    out = outcome(t, "verified_measure_applied")
    assert kinds(out) == ["OutcomeRecorded", "Closed"] + ["TestScheduled"] * 5
    assert t.status == Status.CLOSED and t.closed_at == NOW
    assert t.measure_applied == "centralized_quarantine"  # the case's measure by default
    assert [x.day for x in t.tests] == [1, 2, 3, 5, 7] and not t.resolved


@pytest.mark.parametrize(("what", "resolution"), [("verified_no_risk", "no_risk"),
                                                   ("not_in_area", "not_in_area")])
def test_no_risk_and_not_in_area_close_and_resolve_the_case(what: str, resolution: str) -> None:
    t = task()
    out = outcome(t, what)
    assert kinds(out) == ["OutcomeRecorded", "Closed", "Resolved"]
    assert out[-1] == f.Resolved(resolution, NOW) and t.status == Status.CLOSED
    assert out[1] == f.Closed(what, "none", NOW)


def test_unreachable_waits_then_is_requeued_as_a_new_attempt() -> None:
    t = task()
    assert kinds(outcome(t, "unreachable")) == ["OutcomeRecorded"]
    assert t.status == Status.UNREACHABLE and t.due_at == NOW + timedelta(minutes=30)
    assert fire(t, NOW + timedelta(minutes=29), POLICY) == []
    later = NOW + timedelta(minutes=30)
    (requeued,) = fire(t, later, POLICY)
    assert requeued == f.Requeued(2, "unreachable", later, later + timedelta(hours=2), Tier.GRID)
    assert t.status == Status.ASSIGNED and t.attempt == 2


def test_the_third_unreachable_goes_to_public_security() -> None:
    t = task()
    now = NOW
    for attempt in (1, 2):
        outcome(t, "unreachable", request_id=f"r{attempt}", now=now)
        now = t.due_at
        fire(t, now, POLICY)
    out = outcome(t, "unreachable", request_id="r3", now=now)
    assert kinds(out) == ["OutcomeRecorded", "Escalated"]
    assert out[1] == f.Escalated(Tier.GRID, Tier.PUBLIC_SECURITY,
                                 "unreachable 3 times: on-site search", now,
                                 now + timedelta(hours=12))
    assert t.status == Status.ASSIGNED and t.tier == Tier.PUBLIC_SECURITY and t.attempt == 4


def test_system_fault_is_requeued_after_its_delay() -> None:
    t = task(status=Status.IN_PROGRESS)
    outcome(t, "system_fault")
    assert t.status == Status.SYSTEM_FAULT and t.due_at == NOW + timedelta(minutes=15)
    (requeued,) = fire(t, t.due_at, POLICY)
    assert isinstance(requeued, f.Requeued) and requeued.reason == "system_fault"


def test_a_verified_outcome_is_accepted_while_waiting_for_a_retry() -> None:
    t = task()
    outcome(t, "unreachable")
    assert "Closed" in kinds(outcome(t, "verified_no_risk", request_id="r2"))


@pytest.mark.parametrize("what", list(Outcome))
def test_no_outcome_is_accepted_on_a_closed_task(what: str) -> None:
    t = task()
    outcome(t, "verified_no_risk")
    with pytest.raises(TransitionError, match="already closed \\(verified_no_risk"):
        outcome(t, what, request_id="r2")


@pytest.mark.parametrize("waiting", ["unreachable", "system_fault"])
@pytest.mark.parametrize("again", ["unreachable", "system_fault"])
def test_a_second_failure_while_waiting_for_the_retry_is_refused(waiting: str, again: str
                                                                  ) -> None:
    t = task()
    outcome(t, waiting)
    with pytest.raises(TransitionError, match="already waits for its retry"):
        outcome(t, again, request_id="r2")


def test_start_is_refused_on_a_closed_or_waiting_task() -> None:
    closed, waiting = task(), task()
    outcome(closed, "not_in_area")
    outcome(waiting, "unreachable")
    with pytest.raises(TransitionError, match="is closed"):
        start(closed, "w1", NOW)
    with pytest.raises(TransitionError, match="waits for its retry"):
        start(waiting, "w1", NOW)


def test_measure_applied_only_goes_with_the_measure_outcome() -> None:
    with pytest.raises(TransitionError, match="measure_applied goes only with"):
        outcome(task(), "verified_no_risk", measure="home_quarantine")
    with pytest.raises(TransitionError, match="needs the measure"):
        outcome(task(), "verified_measure_applied", measure="none")


def test_the_same_request_id_is_applied_once() -> None:
    t = task()
    assert outcome(t, "unreachable") != []
    assert outcome(t, "unreachable") == []  # the repeat: nothing new, no 409
    with pytest.raises(TransitionError, match="already used for outcome:unreachable"):
        outcome(t, "verified_no_risk")


def test_a_missed_deadline_escalates_grid_township_county_then_stops() -> None:
    t = task()
    assert next_due(t) == T0 + timedelta(hours=2)
    now = t.due_at
    out = fire(t, now, POLICY)
    assert out == [f.Overdue(T0 + timedelta(hours=2), now, Tier.GRID),
                   f.Escalated(Tier.GRID, Tier.TOWNSHIP, "verification deadline passed", now,
                               now + timedelta(hours=2))]
    assert fire(t, now, POLICY) == []  # firing again at once changes nothing
    now += timedelta(hours=2)
    assert kinds(fire(t, now, POLICY)) == ["Overdue", "Escalated"] and t.tier == Tier.COUNTY
    now += timedelta(hours=2)
    assert kinds(fire(t, now, POLICY)) == ["Overdue"] and t.deadline_missed
    assert next_due(t) is None and fire(t, now + timedelta(days=1), POLICY) == []


def test_a_township_pool_task_escalates_to_the_county() -> None:
    t = task(tier=Tier.TOWNSHIP, grid_id="pool-130826100")
    out = fire(t, t.due_at + timedelta(minutes=1), POLICY)
    assert isinstance(out[1], f.Escalated) and out[1].to_tier == Tier.COUNTY


def test_missed_tests_are_overdue_and_the_case_resolves_after_the_measure_period() -> None:
    t = task(test_days=[1, 3], measure_days=3, measure="home_quarantine")
    outcome(t, "verified_measure_applied")
    day1, day3 = t.tests
    assert next_due(t) == day1.result_due_at
    assert kinds(record_test_result(t, day1, TestResult.NEGATIVE, sampled_at=None, by="w1",
                                    request_id="t1", now=NOW)) == ["TestResultRecorded"]
    out = fire(t, day3.result_due_at, POLICY)
    assert kinds(out) == ["TestOverdue", "Resolved"] and day3.overdue
    assert out[-1] == f.Resolved("measure_completed", day3.result_due_at)
    assert next_due(t) is None


def test_a_positive_result_alerts_once_and_a_repeat_is_not_applied_twice() -> None:
    t = task()
    outcome(t, "verified_measure_applied")
    test = t.tests[0]
    out = record_test_result(t, test, TestResult.POSITIVE, sampled_at=None, by="w1",
                             request_id="t1", now=NOW)
    assert kinds(out) == ["TestResultRecorded", "PositiveAlert"]
    assert record_test_result(t, test, TestResult.POSITIVE, sampled_at=None, by="w1",
                              request_id="t1", now=NOW) == []
    with pytest.raises(TransitionError, match="already recorded positive"):
        record_test_result(t, test, TestResult.NEGATIVE, sampled_at=None, by="w1",
                           request_id="t1", now=NOW)


def test_test_days_already_over_when_the_measure_is_applied_are_not_scheduled() -> None:
    t = task(arrived_at=T0 - timedelta(days=3))
    outcome(t, "verified_measure_applied")
    assert [x.day for x in t.tests] == [5, 7]


def test_assist_gets_in_progress_at_reply_by_and_the_result_when_closed() -> None:
    t = task()
    assist = Assist("rec-1", "src-1", "req-1", "测试省", T0 + timedelta(hours=1))
    assert add_assist(t, assist, NOW) == []
    assert add_assist(t, assist, NOW) == []
    assert next_due(t) == T0 + timedelta(hours=1)
    (reply,) = fire(t, T0 + timedelta(hours=1), POLICY)
    assert isinstance(reply, f.AssistReply) and reply.status == "in_progress"
    out = outcome(t, "verified_measure_applied", now=T0 + timedelta(hours=1, minutes=5))
    replies = [x for x in out if isinstance(x, f.AssistReply)]
    assert [(r.status, r.measure_applied) for r in replies] == [
        ("measure_applied", "centralized_quarantine")]


def test_an_assist_on_an_already_closed_task_is_answered_at_once() -> None:
    t = task()
    outcome(t, "not_in_area")
    (reply,) = add_assist(t, Assist("rec-1", "src-1", "req-1", "测试省", T0), NOW)
    assert isinstance(reply, f.AssistReply) and reply.status == "not_in_area"


def test_the_contact_announces_the_task_once() -> None:
    t = task()
    assert attach_contact(t, CONTACT, None, NOW) == [f.Assigned(NOW)]
    assert attach_contact(t, CONTACT, None, NOW) == [] and t.announced


def test_reclassification_updates_the_open_task_deadline_and_measure() -> None:
    t = task(category="low_risk_area", risk_level="low", measure="health_monitoring")
    new_due = T0 + timedelta(hours=1)
    out = revise(t, category="close_contact", risk_level="high",
                 measure="centralized_quarantine", measure_days=7, followup_days=3,
                 test_days=[1, 2, 3, 5, 7, 10], due_at=new_due, sources=t.sources,
                 reason="reclassified", now=NOW)
    assert kinds(out) == ["Revised"] and t.due_at == new_due and t.followup_days == 3
    assert revise(t, category="close_contact", risk_level="high",
                  measure="centralized_quarantine", measure_days=7, followup_days=3,
                  test_days=[1, 2, 3, 5, 7, 10], due_at=new_due, sources=t.sources,
                  reason="reclassified", now=NOW) == []  # redelivery: nothing new


def test_a_replayed_case_revises_nothing_though_the_store_kept_milliseconds() -> None:
    """Case events carry microseconds; the task's deadline comes back from the store cut to
    milliseconds. The same case again (a replay of the cases topic) is no revision."""
    due = T0 + timedelta(hours=1, microseconds=123456)
    t = task(category="close_contact", risk_level="high", measure="centralized_quarantine")
    revise(t, category="close_contact", risk_level="high", measure="centralized_quarantine",
           measure_days=7, followup_days=3, test_days=[1], due_at=due, sources=t.sources,
           reason="reclassified", now=NOW)
    t.due_at = t.due_at.replace(microsecond=t.due_at.microsecond // 1000 * 1000)  # as stored
    assert revise(t, category="close_contact", risk_level="high",
                  measure="centralized_quarantine", measure_days=7, followup_days=3,
                  test_days=[1], due_at=due, sources=t.sources, reason="reclassified",
                  now=NOW) == []


def test_an_escalated_task_keeps_its_tier_deadline_on_reclassification() -> None:
    t = task()
    fire(t, t.due_at, POLICY)
    due = t.due_at
    revise(t, category="close_contact", risk_level="high", measure="centralized_quarantine",
           measure_days=7, followup_days=3, test_days=[1], due_at=T0, sources=t.sources,
           reason="reclassified", now=NOW)
    assert t.due_at == due and t.category == "close_contact"
