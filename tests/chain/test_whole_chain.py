"""The whole chain, end to end (issue 10 item 3): records pushed across all five feeds — HTTP
pushes and a screening list uploaded as a file, with duplicates, invalid rows, a merge, a
reclassifying merge, an arrival from abroad, after risk designations made over triage's API —
become cases and tasks; simulated grid workers and supervisors (their own tokens) report a fixed
outcome per task and record test results; then the daily report, its CSV export and its briefing
equal the ground truth the test computed from its own plan, figure by figure."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from contracts import events as ev
from services.reporting.domain.briefing import BriefingFigures, briefing
from services.reporting.domain.labels import FEED_NAMES
from tests.chain.harness import CASES, TASKS, Chain, chain_fixture
from tests.chain.scenario import DESIGNATIONS, SHANGHAI, Scenario, build, to_csv

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chain]:
    yield from chain_fixture(fast=False, logs=tmp_path_factory.mktemp("chain-logs"))


def _near_midnight(now: datetime) -> bool:
    local = now.astimezone(SHANGHAI)
    return (local.hour == 23 and local.minute >= 50) or (local.hour == 0 and local.minute < 5)


async def _designate(client: httpx.AsyncClient, chain: Chain, now: datetime) -> None:
    for code, level, name in DESIGNATIONS:
        response = await client.put(
            f"{chain.url('triage')}/v1/risk-areas/{code}", headers=chain.admin,
            json={"level": level, "area_name": name, "notice_id": f"chain-{code}",
                  "effective_from": (now - timedelta(days=30)).isoformat()})
        assert response.status_code == 202, response.text
    deadline = time.monotonic() + 60
    while True:  # the worker consumes its own topic: wait until it holds both
        found = (await client.get(f"{chain.url('triage')}/v1/risk-areas")).json()
        if found["count"] == len(DESIGNATIONS):
            return
        assert time.monotonic() < deadline, found
        await asyncio.sleep(0.3)


async def _push(client: httpx.AsyncClient, chain: Chain, sc: Scenario,
                hours: Counter[int]) -> list[dict[str, Any]]:
    answers = []
    seen: set[tuple[str, str]] = set()
    for feed, bodies in sc.calls:
        before = datetime.now(SHANGHAI).hour
        response = await client.post(f"{chain.url('intake')}/v1/feeds/{feed}/records",
                                     headers=chain.feed(feed), json={"records": bodies})
        assert response.status_code == 202, response.text
        if datetime.now(SHANGHAI).hour != before:
            hours[-1] += 1  # an hour boundary during the call: only the day's sum is certain
        new = {(feed, str(b["source_record_id"])) for b in bodies} - seen
        good = {(r.feed, r.source_id) for r in sc.records()}
        hours[before] += len(new & good)
        seen |= new
        answers.append(response.json())
    before = datetime.now(SHANGHAI).hour
    response = await client.post(
        f"{chain.url('intake')}/v1/feeds/screening/files", headers=chain.feed("screening"),
        files={"file": ("返丰人员排查登记表.csv", to_csv(sc.file_rows), "text/csv")})
    assert response.status_code == 202, response.text
    if datetime.now(SHANGHAI).hour != before:
        hours[-1] += 1
    hours[before] += len(sc.file_rows)
    answers.append(response.json())
    return answers


async def _wait_for_tasks(client: httpx.AsyncClient, chain: Chain, count: int
                          ) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 120
    while True:
        tasks = (await client.get(f"{chain.url('tasking')}/v1/tasks", headers=chain.admin,
                                  params={"limit": "500"})).json()["tasks"]
        if len(tasks) >= count and all(t["person"] for t in tasks):
            return tasks
        assert time.monotonic() < deadline, f"{len(tasks)} tasks of {count}: {tasks}"
        await asyncio.sleep(0.5)


class Workers:
    """Each task worked by the token that would work it: its grid's worker, else the pool's
    township or county supervisor (tokens made through tasking's API)."""

    def __init__(self, chain: Chain) -> None:
        self.chain = chain
        self.tokens: dict[str, dict[str, str]] = {}
        self.grid_workers: dict[str, str] = {}

    async def load(self, client: httpx.AsyncClient) -> None:
        grids = (await client.get(f"{self.chain.url('tasking')}/v1/grids",
                                  headers=self.chain.admin)).json()["grids"]
        self.grid_workers = {g["grid_id"]: g["workers"][0]["worker_id"] for g in grids}

    async def headers(self, task: dict[str, Any]) -> dict[str, str]:
        grid = task["grid_id"]
        if grid not in self.tokens:
            if grid.startswith("pool-"):
                code = grid.removeprefix("pool-")
                body = {"scope": "township" if len(code) == 9 else "county", "area_code": code}
            else:
                body = {"scope": "worker", "grid_id": grid, "worker_id": self.grid_workers[grid]}
            token = await asyncio.to_thread(self.chain.tasking_token, body)
            self.tokens[grid] = {"Authorization": f"Bearer {token}"}
        return self.tokens[grid]


async def _work(client: httpx.AsyncClient, chain: Chain, sc: Scenario,
                tasks: list[dict[str, Any]]) -> None:
    workers = Workers(chain)
    await workers.load(client)
    by_id = {p.id_number: p for p in sc.people.values()}
    today = sc.day.isoformat()
    base = chain.url("tasking")
    for task in tasks:
        person = by_id[task["person"]["id_number"]]
        assert task["category"] == person.category(), (person.label, task)
        if person.outcome is None:
            continue
        headers = await workers.headers(task)
        started = await client.post(f"{base}/v1/tasks/{task['task_id']}/start", headers=headers)
        assert started.status_code == 200, started.text
        body: dict[str, Any] = {"outcome": person.outcome,
                                "request_id": f"chain-{person.label}-outcome"}
        if person.outcome == "verified_measure_applied":
            body["measure_applied"] = task["measure"]
        for _ in range(2):  # a retry with the same request id applies nothing more
            answer = await client.post(f"{base}/v1/tasks/{task['task_id']}/outcomes",
                                       headers=headers, json=body)
            assert answer.status_code == 200, answer.text
        if person.test is None:
            continue
        tests = [t for t in answer.json()["tests"] if t["test_date"] == today]
        assert len(tests) == 1, (person.label, answer.json()["tests"])
        recorded = await client.post(f"{base}/v1/tests/{tests[0]['test_task_id']}/results",
                                     headers=headers, json={
                                         "result": person.test,
                                         "request_id": f"chain-{person.label}-test"})
        assert recorded.status_code == 200, recorded.text


def _comparable(report: dict[str, Any]) -> dict[str, Any]:
    """The report's figures without the labels (names) and the briefing text."""
    out = {k: v for k, v in report.items()
           if k not in ("briefing", "campaign_start", "county")}
    out["feeds"] = [{k: f[k] for k in ("feed", "today", "cumulative")} for f in report["feeds"]]
    out["townships"] = [{k: t[k] for k in ("code", "today", "cumulative")}
                        for t in report["townships"]]
    return out


async def test_records_across_all_feeds_reach_the_daily_report_exactly(chain: Chain) -> None:
    now = datetime.now(UTC)
    if _near_midnight(now):
        pytest.skip("too close to midnight in Asia/Shanghai: the day would change mid-test")
    started = time.monotonic()
    sc = build(now)
    hours: Counter[int] = Counter()
    async with httpx.AsyncClient(timeout=60) as client:
        await _designate(client, chain, now)
        answers = await _push(client, chain, sc, hours)

        # What intake answered: every record accepted once, each invalid row refused for its
        # reason, every repeat a duplicate.
        accepted = sum(a["accepted"] for a in answers)
        assert accepted == len(sc.records())
        refused = Counter((a["feed"], e["reason"]) for a in answers for e in a["errors"])
        assert refused == Counter((f, r) for f, r, _, _ in sc.invalid)
        assert sum(a["duplicates"] for a in answers) == 3

        tasks = await _wait_for_tasks(client, chain, len(sc.people))
        assert len(tasks) == len(sc.people)  # one task per person, merges included
        await _work(client, chain, sc, tasks)
        worked = time.monotonic()

        hourly = [hours[h] for h in range(24)]
        expected = sc.expected_report(hourly)
        reporting = chain.url("reporting")
        deadline = time.monotonic() + 90
        while True:
            report = (await client.get(f"{reporting}/v1/reports/daily",
                                       params={"date": sc.day.isoformat()})).json()
            got = _comparable(report)
            if hours[-1]:
                assert sum(got["hourly"]) == sum(hourly)
                got["hourly"] = hourly
            if got == expected or time.monotonic() > deadline:
                break
            await asyncio.sleep(1)
        caught_up = time.monotonic()
        assert got == expected

        # The briefing is the four sentences of these figures.
        persons = expected["persons"]["cumulative"]
        feeds = {f["feed"]: f["cumulative"] for f in expected["feeds"]}
        figures = BriefingFigures(
            since=datetime.fromisoformat(report["campaign_start"]).date(), short_name="丰",
            persons=persons["total"], by_group=persons["by_group"],
            measures=persons["measures_applied"], persons_open=persons["open"],
            persons_today=persons["total"], levels_today=persons["by_risk_level"],
            selfreport=(feeds["selfreport"]["pushed"], feeds["selfreport"]["verified"]),
            bigdata=(feeds["bigdata"]["pushed"], feeds["bigdata"]["verified"]),
            low_risk_persons=persons["by_category"].get("low_risk_area", 0),
            low_risk_positive=expected["tests"]["low_risk_cumulative"]["positive"],
            low_risk_missed=expected["tests"]["low_risk_cumulative"]["missed"],
            today=expected["today"])
        assert report["briefing"] == briefing(figures)
        text = await client.get(f"{reporting}/v1/reports/daily.txt",
                                params={"date": sc.day.isoformat()})
        assert text.text.strip().splitlines() == briefing(figures)

        # The export for forwarding: the same figures per feed and per township, with totals.
        exported = await client.get(f"{reporting}/v1/reports/daily.csv",
                                    params={"date": sc.day.isoformat()})
        assert exported.status_code == 200
        rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
        keys = ("pushed", "verified", "system_fault", "unreachable", "pending")

        def figures_of(item: dict[str, Any]) -> list[str]:
            return [str(item["today"][k]) for k in keys] + [
                str(item["cumulative"][k]) for k in keys]

        by_feed = [[sc.day.isoformat(), "按渠道", FEED_NAMES[f["feed"]], *figures_of(f)]
                   for f in expected["feeds"]]
        total = figures_of(expected)
        assert rows[1:len(by_feed) + 2] == [*by_feed, [sc.day.isoformat(), "按渠道", "合计",
                                                       *total]]
        towns = [r for r in rows if r[1] == "按乡镇"]
        assert [r[3:] for r in towns] == [figures_of(t) for t in expected["townships"]] + [total]

        # And on the wire: one case per person (two sources for each merged one), one task
        # per case.
        cases = [e.event for e in await chain.read(CASES)]
        opened = {c.case_id for c in cases if isinstance(c, ev.CaseOpened)}
        assert len(opened) == len(sc.people)
        merged = [c for c in cases if isinstance(c, ev.CaseMerged)]
        raised = [c for c in cases if isinstance(c, ev.CaseReclassified)]
        assert len({c.case_id for c in merged}) == 1 and len({c.case_id for c in raised}) == 1
        assigned = [e.event for e in await chain.read(TASKS)
                    if isinstance(e.event, ev.TaskAssigned)]
        assert sorted(a.case_id for a in {a.task_id: a for a in assigned}.values()) == sorted(
            opened)
    print(json.dumps({k: report[k] for k in ("today", "persons", "tests", "rejected")},
                     ensure_ascii=False))
    print(f"\nwhole chain: {len(sc.records())} records of {len(sc.people)} people, "
          f"{len(sc.invalid)} invalid rows; pushed→worked {worked - started:.1f} s, "
          f"report caught up {caught_up - worked:.1f} s later")
