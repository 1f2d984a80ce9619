"""Chaos (issue 10 item 4): while records stream in at a steady rate, kill -9 each service in
turn (intake, triage, tasking, reporting) and restart it, then restart the Kafka broker. The
feed retries a call answered 503 or not answered at all, with the same records, as a real feed
does. Afterwards, read from the topics and the report:

- no record lost: every accepted record is on the records topic and in a case;
- no duplicate: one person key and one case per person, one task per case;
- every deadline fired exactly once: each task went overdue once at the grid, the township and
  the county (fast policies: 1 minute, or an assist request's reply-by 10 s after it was sent,
  then 7.2 s per tier), and each assist request got one in-progress reply at its reply-by;
- every figure of the daily report equals the ground truth kept by the test.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from contracts import events as ev
from paicha.simulate.people import RecordFactory, id_number
from tests.chain.harness import CASES, NAMES, RECORDS, REJECTED, TASKS, Chain, chain_fixture
from tests.chain.scenario import SHANGHAI, Person, Rec, Scenario, _grid_villages
from tests.chain.test_whole_chain import _comparable, _near_midnight

pytestmark = pytest.mark.integration
ASSIST_REPLIES = "paicha.tasking.assist-replies.v1"
RATE = 3.0  # records per second
MIXED_FEEDS = ("assist", "bigdata", "assist", "selfreport", "assist", "screening", "assist",
               "contacts")


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chain]:
    yield from chain_fixture(fast=True, logs=tmp_path_factory.mktemp("chaos-logs"))


class Feeds:
    """The sending side: a steady stream of records over the feeds, each call retried on 503
    or a connection error with the same body until intake acknowledges it. Keeps the ground
    truth (a Scenario) of what was acknowledged."""

    def __init__(self, chain: Chain, sc: Scenario) -> None:
        self.chain, self.sc = chain, sc
        self.rng = random.Random(4242)
        self.factory = RecordFactory(self.rng)
        self.villages = sorted(_grid_villages())
        self.assist_only = False
        self.stopped = False
        self.sent = 0
        self.retries: Counter[str] = Counter()
        self.hours: Counter[int] = Counter()
        self.t0 = time.monotonic()
        self.acked_at: dict[str, float] = {}  # record id -> seconds into the run
        self.down: dict[str, tuple[float, float]] = {}  # service -> killed, ready again

    def _next(self) -> tuple[str, list[dict[str, Any]], list[Rec], Person | None]:
        n = self.sent
        feed = "assist" if self.assist_only else MIXED_FEEDS[n % len(MIXED_FEEDS)]
        now = datetime.now(UTC)
        body = self.factory.record(feed, now)
        body["source_record_id"] = f"chaos-{feed}-{n:05d}"
        body["origin_area_code"], body["origin_area_name"] = "130102", "石家庄市长安区"
        village = self.villages[n % len(self.villages)]
        body["current_township_code"], body["current_village_code"] = village[:9], village
        same: Person | None = None
        earlier = [p for p in self.sc.people.values() if p.records[0].feed == "bigdata"
                   and len(p.records) == 1]
        if feed in ("selfreport", "screening") and n % 3 == 0 and earlier:
            same = earlier[-1]  # the same person on a second feed: merged into one case
            body["id_number"] = same.id_number
        else:
            body["id_number"] = id_number(self.rng, "130826")
        if feed == "assist":
            body["reply_by"] = (now + timedelta(seconds=10)).isoformat()
        rec = Rec(feed, same.label if same else f"p{n}", body)
        bodies = [body]
        if n % 10 == 5:  # an invalid row now and then: a mistyped mobile
            bad = self.factory.record(feed, now)
            bad["source_record_id"] = f"chaos-bad-{feed}-{n:05d}"
            bad["mobile"] = "1234567"
            bodies.append(bad)
        return feed, bodies, [rec], same

    async def run(self, client: httpx.AsyncClient) -> None:
        loop = asyncio.get_running_loop()
        while not self.stopped:
            began = loop.time()
            feed, bodies, recs, same = self._next()
            hour = datetime.now(SHANGHAI).hour
            answer = await self._send(client, feed, bodies)
            assert answer["accepted"] + answer["duplicates"] == len(recs), answer
            for rec in recs:
                self.acked_at[rec.record_id] = time.monotonic() - self.t0
                if same is not None:
                    same.records.append(rec)
                else:
                    self.sc.people[rec.person] = Person(rec.person, str(rec.body["id_number"]),
                                                        None, None, [rec])
            if len(bodies) > len(recs):
                assert [e["reason"] for e in answer["errors"]] == ["invalid_mobile"]
                self.sc.invalid.append((feed, "invalid_mobile", "mobile",
                                        str(bodies[-1]["source_record_id"])))
            self.hours[hour] += len(recs)
            self.sent += 1
            await asyncio.sleep(max(0.0, began + 1 / RATE - loop.time()))

    async def _send(self, client: httpx.AsyncClient, feed: str, bodies: list[dict[str, Any]]
                    ) -> dict[str, Any]:
        url = f"{self.chain.url('intake')}/v1/feeds/{feed}/records"
        deadline = time.monotonic() + 180
        while True:
            assert time.monotonic() < deadline, f"intake did not take a call: {self.retries}"
            try:
                response = await client.post(url, headers=self.chain.feed(feed),
                                             json={"records": bodies}, timeout=15)
            except httpx.HTTPError as exc:
                self.retries[type(exc).__name__] += 1
                await asyncio.sleep(0.5)
                continue
            if response.status_code == 202:
                answer: dict[str, Any] = response.json()
                return answer
            assert response.status_code == 503, response.text
            self.retries["503"] += 1
            await asyncio.sleep(0.5)


async def _chaos(chain: Chain, feeds: Feeds, timeline: list[str]) -> None:
    t0 = feeds.t0

    def mark(what: str) -> None:
        timeline.append(f"{time.monotonic() - t0:6.1f} s  {what} (records sent: {feeds.sent})")
        print(timeline[-1], flush=True)

    await asyncio.sleep(4)
    for name in NAMES:
        await asyncio.to_thread(chain.kill9, name)
        killed = time.monotonic() - t0
        mark(f"kill -9 {name}")
        await asyncio.sleep(5 if name == "tasking" else 2)  # tasking: let deadlines pass
        await asyncio.to_thread(chain.start, name)
        await asyncio.to_thread(chain.wait_ready, name)
        feeds.down[name] = (killed, time.monotonic() - t0)
        mark(f"{name} ready again")
        if name == "tasking":
            # From here on only assist requests (deadline = reply-by, 10 s): the test need not
            # wait out the 1-minute deadlines of records sent late.
            feeds.assist_only = True
        await asyncio.sleep(3)
    mark("stopping Kafka")
    await asyncio.to_thread(chain.restart_broker)
    mark("Kafka answers again")
    for name in NAMES:
        assert chain.pid(name) is not None, f"{name} died with the broker:\n" + chain.log_tail(
            name)
        await asyncio.to_thread(chain.wait_ready, name)
    mark("every service ready")
    await asyncio.sleep(4)


def _dedupe(envelopes: list[Any]) -> list[Any]:
    """Events by CloudEvents id (a re-publish after a crash carries the same id)."""
    return list({e.id: e for e in envelopes}.values())


@pytest.mark.timeout(600)
async def test_kill_9_each_service_and_restart_the_broker_under_load(chain: Chain) -> None:
    now = datetime.now(UTC)
    if _near_midnight(now):
        pytest.skip("too close to midnight in Asia/Shanghai: the day would change mid-test")
    started = time.monotonic()
    sc = Scenario(now=now)
    feeds = Feeds(chain, sc)
    timeline: list[str] = []
    async with httpx.AsyncClient() as client:
        pusher = asyncio.create_task(feeds.run(client))
        try:
            await _chaos(chain, feeds, timeline)
        finally:
            feeds.stopped = True
            await pusher
        load_done = time.monotonic()
        print("\n" + "\n".join(timeline))

        people = list(sc.people.values())
        recs = sc.records()
        assist = [r for r in recs if r.feed == "assist"]
        tiers = ("grid", "township", "county")
        expected_tasks = {"overdue_now": len(people), "went_overdue_today": len(people),
                          "escalated_today": len(people)}
        one_hour = len(feeds.hours) == 1
        hourly = [feeds.hours[h] for h in range(24)]
        expected = sc.expected_report(hourly, designations=0, tasks=expected_tasks)
        deadline = time.monotonic() + 150
        while True:
            overdue = _dedupe([e for e in await chain.read(TASKS)
                               if isinstance(e.event, ev.TaskOverdue)])
            report = (await client.get(f"{chain.url('reporting')}/v1/reports/daily",
                                       params={"date": sc.day.isoformat()})).json()
            got = _comparable(report)
            if not one_hour:
                assert sum(got["hourly"]) == sum(hourly)
                got["hourly"] = hourly
            done = len(overdue) >= 3 * len(people) and got == expected
            if done or time.monotonic() > deadline:
                break
            if int(time.monotonic() - load_done) % 10 < 2:
                differ = {k: (got.get(k), v) for k, v in expected.items() if got.get(k) != v}
                print(f"settling: {len(overdue)} of {3 * len(people)} overdue; differ: "
                      f"{str(differ)[:1500]}", flush=True)
            await asyncio.sleep(2)
        settled = time.monotonic()
        await asyncio.sleep(3)  # anything extra would show now

        records = await chain.read(RECORDS)
        cases = await chain.read(CASES)
        tasks = await chain.read(TASKS)
        replies = await chain.read(ASSIST_REPLIES)
        refused = await chain.read(REJECTED)

    # No record lost: each acknowledged record on the topic once (by its id) and in a case.
    on_topic = {e.event.record_id: e.event for e in records
                if isinstance(e.event, ev.RecordReceived)}
    assert {r.record_id for r in recs} <= set(on_topic), "an acknowledged record is missing"
    assert len(on_topic) == len(recs), "a record nobody acknowledged is on the topic"
    assert len(records) >= len(on_topic)  # copies (same id) are allowed: consumers drop them
    in_cases = {s.record_id for e in cases if hasattr(e.event, "sources")
                for s in e.event.sources}
    lost = [(r.feed, r.record_id, f"acknowledged {feeds.acked_at[r.record_id]:.1f} s in")
            for r in recs if r.record_id not in in_cases]
    assert not lost, (f"accepted records without a case: {lost}; services down (s into the "
                      f"run): {feeds.down}; refused downstream: "
                      f"{[e.event for e in refused if e.source != '/paicha/intake']}")

    # No duplicate: per person one person key and one case; per case one task.
    case_events = [e.event for e in _dedupe(cases)]
    cases_of_key: dict[str, set[str]] = defaultdict(set)
    for c in case_events:
        cases_of_key[c.person_key].add(c.case_id)
    for person in people:
        keys = {on_topic[r.record_id].person_key for r in person.records}
        assert len(keys) == 1, person.label
        assert len(cases_of_key[keys.pop()]) == 1, f"{person.label} has more than one case"
    assert len(cases_of_key) == len(people)
    opened = Counter(c.case_id for c in case_events if isinstance(c, ev.CaseOpened))
    assert len(opened) == len(people) and set(opened.values()) == {1}
    assigned = [e.event for e in _dedupe(tasks) if isinstance(e.event, ev.TaskAssigned)]
    assert Counter(a.case_id for a in assigned) == Counter(set(opened)), "a case without one task"

    # Every deadline fired exactly once.
    fired = Counter((e.event.task_id, e.event.tier.value) for e in _dedupe(tasks)
                    if isinstance(e.event, ev.TaskOverdue))
    assert set(fired) == {(a.task_id, tier) for a in assigned for tier in tiers}, "a missed timer"
    assert set(fired.values()) == {1}, "a timer fired twice"
    in_progress = Counter(e.event.record_id for e in _dedupe(replies)
                          if e.event.status.value == "in_progress")
    assert in_progress == Counter({r.record_id: 1 for r in assist}), "assist reply-by timers"

    # Every figure of the report.
    assert got == expected
    wire = Counter(type(e.event).__name__ for e in tasks)
    print(f"chaos: {len(recs)} records of {len(people)} people ({len(assist)} assist), "
          f"{len(sc.invalid)} invalid rows, feed retries {dict(feeds.retries)}; load "
          f"{load_done - started:.0f} s, settled {settled - load_done:.0f} s later; on the tasks "
          f"topic {dict(wire)} (TaskOverdue with repeated ids: "
          f"{wire['TaskOverdue'] - sum(fired.values())})")
