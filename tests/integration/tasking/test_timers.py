"""Due timers with a moved clock over real Kafka and store: overdue and escalation grid →
township → county, test follow-ups (positive alert, missed test, case resolved after the
measure period), assist replies at reply-by and on close, CaseResolved on a no-risk close."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest

from contracts import events as ev
from services.tasking.handlers import task_id_for
from tests.integration.tasking.conftest import Running, types
from tests.integration.tasking.helpers import ADMIN, case, record

pytestmark = pytest.mark.integration
TASKS, TESTS = "paicha.tasking.tasks.v1", "paicha.tasking.tests.v1"
RESOLUTIONS, REPLIES = "paicha.tasking.resolutions.v1", "paicha.tasking.assist-replies.v1"


def of(found: list, kind: type, **match: object) -> list:
    return [e.event for e in found if isinstance(e.event, kind)
            and all(getattr(e.event, k) == v for k, v in match.items())]


async def test_a_missed_deadline_escalates_grid_township_county_once_each(tasking: Running
                                                                          ) -> None:
    await tasking.put_grid("130826100-g9", "130826100", ["130826100209"])
    now = tasking.clock.now()
    kw = dict(now=now, township="130826100", village="130826100209")
    await tasking.send(record(301, **kw), case(301, due_in=timedelta(hours=2), **kw))
    task = await tasking.task("case-301", lambda t: t["person"] is not None)
    tid = task["task_id"]
    tasking.clock.advance(timedelta(hours=2, seconds=1))
    escalated = await tasking.task("case-301", lambda t: t["tier"] == "township")
    assert escalated["due_at"] == (tasking.clock.now() + timedelta(hours=2)).isoformat()
    tasking.clock.advance(timedelta(hours=2, seconds=1))
    await tasking.task("case-301", lambda t: t["tier"] == "county")
    tasking.clock.advance(timedelta(hours=2, seconds=1))
    found = await tasking.wait_events(TASKS, lambda es: len(of(es, ev.TaskOverdue, task_id=tid))
                                      >= 3)
    tasking.clock.advance(timedelta(days=1))
    await asyncio.sleep(1.0)
    found = await tasking.events(TASKS)
    assert [o.tier for o in of(found, ev.TaskOverdue, task_id=tid)] == [
        ev.Tier.GRID, ev.Tier.TOWNSHIP, ev.Tier.COUNTY]
    assert [(e.from_tier, e.to_tier) for e in of(found, ev.TaskEscalated, task_id=tid)] == [
        (ev.Tier.GRID, ev.Tier.TOWNSHIP), (ev.Tier.TOWNSHIP, ev.Tier.COUNTY)]
    assert tasking.metric("paicha_tasking_overdue_total", tier="county",
                          township="130826100") >= 1
    assert tid not in tasking.components.scheduler.pending()


async def test_tests_follow_the_measure_with_a_positive_alert_and_a_missed_test(
        tasking: Running) -> None:
    now = tasking.clock.now()
    await tasking.send(record(311, now=now, arrived_at=now, township=None, village=None),
                       case(311, now=now, test_days=[1, 2, 3], measure_days=3, township=None,
                            village=None))
    task = await tasking.task("case-311", lambda t: t["person"] is not None)
    closed = await tasking.client.post(f"/v1/tasks/{task['task_id']}/outcomes", headers=ADMIN,
                                       json={"outcome": "verified_measure_applied",
                                             "request_id": "r-311"})
    tests = closed.json()["tests"]
    assert [t["day"] for t in tests] == [1, 2, 3]
    day1, day2, day3 = (t["test_task_id"] for t in tests)
    negative = await tasking.client.post(f"/v1/tests/{day1}/results", headers=ADMIN,
                                         json={"result": "negative", "request_id": "t-1"})
    assert negative.status_code == 200 and negative.json()["result"] == "negative"
    positive = {"result": "positive", "request_id": "t-2"}
    for _ in range(2):  # the repeat is answered, not applied twice
        answer = await tasking.client.post(f"/v1/tests/{day2}/results", headers=ADMIN,
                                           json=positive)
        assert answer.status_code == 200 and answer.json()["result"] == "positive"
    missing = await tasking.client.post("/v1/tests/nope-d1/results", headers=ADMIN,
                                        json=positive)
    assert missing.status_code == 404
    tasking.clock.set(datetime.fromisoformat(tests[2]["result_due_at"]) + timedelta(seconds=1))
    found = await tasking.wait_events(RESOLUTIONS, lambda es: bool(
        of(es, ev.CaseResolved, case_id="case-311")))
    (resolved,) = of(found, ev.CaseResolved, case_id="case-311")
    assert resolved.resolution == ev.Resolution.MEASURE_COMPLETED
    tests_topic = await tasking.events(TESTS)
    scheduled = of(tests_topic, ev.TestTaskScheduled, case_id="case-311")
    assert sorted(t.day for t in scheduled) == [1, 2, 3]  # keyed by test id: 3 partitions
    assert [t.test_task_id for t in of(tests_topic, ev.PositiveTestAlerted,
                                       case_id="case-311")] == [day2]
    assert [t.test_task_id for t in of(tests_topic, ev.TestTaskOverdue,
                                       case_id="case-311")] == [day3]
    assert len(of(tests_topic, ev.TestResultRecorded, case_id="case-311")) == 2


async def test_assist_replies_at_reply_by_and_on_close_and_no_risk_resolves(tasking: Running
                                                                            ) -> None:
    now = tasking.clock.now()
    await tasking.send(record(321, now=now, feed="assist", reply_by=now + timedelta(hours=1)),
                       case(321, now=now, feed="assist"),
                       record(322, now=now, feed="assist", reply_by=now + timedelta(hours=1)),
                       case(322, now=now, feed="assist"))
    first = await tasking.task("case-321", lambda t: t["person"] is not None)
    second = await tasking.task("case-322", lambda t: t["person"] is not None)
    early = await tasking.client.post(f"/v1/tasks/{second['task_id']}/outcomes", headers=ADMIN,
                                      json={"outcome": "not_in_area", "request_id": "r-322"})
    assert early.status_code == 200
    tasking.clock.advance(timedelta(hours=1, seconds=1))
    found = await tasking.wait_events(REPLIES, lambda es: bool(
        of(es, ev.AssistReplyIssued, request_id="XC-321")))
    assert [r.status for r in of(found, ev.AssistReplyIssued, request_id="XC-321")] == [
        ev.AssistReplyStatus.IN_PROGRESS]
    closed = await tasking.client.post(f"/v1/tasks/{first['task_id']}/outcomes", headers=ADMIN,
                                       json={"outcome": "verified_no_risk",
                                             "request_id": "r-321"})
    assert closed.status_code == 200
    found = await tasking.wait_events(REPLIES, lambda es: len(
        of(es, ev.AssistReplyIssued, request_id="XC-321")) >= 2)
    assert [r.status for r in of(found, ev.AssistReplyIssued, request_id="XC-321")] == [
        ev.AssistReplyStatus.IN_PROGRESS, ev.AssistReplyStatus.NO_RISK]
    assert [(r.status, r.requesting_province) for r in of(
        found, ev.AssistReplyIssued, request_id="XC-322")] == [
        (ev.AssistReplyStatus.NOT_IN_AREA, "测试省")]  # closed before reply-by: one reply
    resolutions = await tasking.wait_events(RESOLUTIONS, lambda es: len(
        of(es, ev.CaseResolved, task_id=task_id_for("case-321"))) >= 1)
    (resolved,) = of(resolutions, ev.CaseResolved, task_id=task_id_for("case-321"))
    assert resolved.resolution == ev.Resolution.NO_RISK
    assert resolved.case_id == "case-321"
    assert types(await tasking.events(TASKS), first["task_id"])[-1] == "task.closed"
