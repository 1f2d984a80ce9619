"""`paicha simulate workers`: grid workers and supervisors working their tasks through the tasking
API, so the dashboards and the briefing show a living county.

Each grid's worker (and each township's and the county's supervisor, for the pools) gets a token
from tasking (made with the admin token), lists its open tasks, takes each in hand after a delay,
reports an outcome from a configured mix, and records test results on the test days that have
come. Every outcome carries a request id derived from the task and attempt, so a retried call is
answered, not applied twice.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx

SHANGHAI = ZoneInfo("Asia/Shanghai")
_REQUEST_NS = uuid.UUID("8f0b6d2e-3c1a-5e4f-9b7d-2a6c8e0f1d3b")


@dataclass(frozen=True)
class WorkerPlan:
    tasking_url: str
    admin_token: str
    min_delay_s: float = 5.0  # how long a worker takes before reporting on a task
    max_delay_s: float = 30.0
    unreachable: float = 0.10  # 无人接听
    system_fault: float = 0.05  # 系统故障，无法审核
    not_in_area: float = 0.03  # 不在本辖区
    positive: float = 0.0  # share of test results that are positive
    missed: float = 0.05  # share of tests nobody records (they go overdue)
    poll_s: float = 5.0
    duration_s: float | None = 60.0  # None: until interrupted
    seed: int | None = None


@dataclass
class WorkerTally:
    started: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    tests: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)
    failed_calls: int = 0


@dataclass
class _Actor:
    """One token: a grid's worker, a township supervisor or the county supervisor."""

    label: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def choose_outcome(plan: WorkerPlan, category: str, rng: random.Random) -> str:
    """The outcome a worker reports: the configured shares of trouble, else verified."""
    roll = rng.random()
    for outcome, share in (("unreachable", plan.unreachable), ("system_fault", plan.system_fault),
                           ("not_in_area", plan.not_in_area)):
        if roll < share:
            return outcome
        roll -= share
    return "verified_no_risk" if category == "none" else "verified_measure_applied"


def choose_result(plan: WorkerPlan, rng: random.Random) -> str | None:
    """A test result, or None when the test is missed (nobody records it)."""
    roll = rng.random()
    if roll < plan.missed:
        return None
    return "positive" if roll < plan.missed + plan.positive else "negative"


def request_id(*parts: object) -> str:
    return str(uuid.uuid5(_REQUEST_NS, "|".join(str(p) for p in parts)))


class WorkerSimulator:
    def __init__(self, plan: WorkerPlan, client: httpx.AsyncClient) -> None:
        self.plan, self.client = plan, client
        self.rng = random.Random(plan.seed)
        self.tally = WorkerTally()
        self.actors: list[_Actor] = []
        self._act_at: dict[tuple[str, int], float] = {}  # (task, attempt) -> when to report
        self._tested: set[str] = set()
        self._followed: dict[str, _Actor] = {}  # closed tasks with tests still to record

    async def enlist(self) -> None:
        """A token per grid worker, per township with grids or pools, and for the county."""
        admin = {"Authorization": f"Bearer {self.plan.admin_token}"}
        grids = (await self._call("GET", "/v1/grids", admin)).get("grids", [])
        townships = sorted({g["township_code"] for g in grids})
        wanted: list[tuple[str, dict[str, Any]]] = []
        for grid in grids:
            if grid.get("workers"):
                worker = grid["workers"][0]["worker_id"]
                wanted.append((f"{grid['grid_id']}/{worker}", {
                    "scope": "worker", "grid_id": grid["grid_id"], "worker_id": worker}))
        wanted += [(f"township {t}", {"scope": "township", "area_code": t}) for t in townships]
        counties = sorted({t[:6] for t in townships})
        wanted += [(f"county {c}", {"scope": "county", "area_code": c}) for c in counties]
        for label, body in wanted:
            made = await self._call("POST", "/v1/tokens", admin, json=body)
            if made.get("token"):
                self.actors.append(_Actor(label, made["token"]))

    async def _call(self, method: str, path: str, headers: dict[str, str],
                    **kwargs: Any) -> dict[str, Any]:
        try:
            response = await self.client.request(method, self.plan.tasking_url + path,
                                                 headers=headers, **kwargs)
        except httpx.HTTPError:
            self.tally.failed_calls += 1
            return {}
        if response.status_code >= 500:
            self.tally.failed_calls += 1
            return {}
        body: dict[str, Any] = response.json() if response.content else {}
        if response.status_code >= 400:
            self.tally.refused[body.get("error", {}).get("code", str(response.status_code))] += 1
            return {}
        return body

    async def _open_tasks(self, actor: _Actor) -> list[dict[str, Any]]:
        tasks: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            params = {"limit": "200", **({"cursor": cursor} if cursor else {})}
            page = await self._call("GET", "/v1/tasks", actor.headers, params=params)
            tasks += page.get("tasks", [])
            cursor = page.get("next_cursor")
            if not cursor:
                return tasks

    async def step(self) -> None:
        """One round: every actor looks at its open tasks and reports on those that are due."""
        now = time.monotonic()
        for actor in self.actors:
            for task in await self._open_tasks(actor):
                key = (task["task_id"], task["attempt"])
                if key not in self._act_at:
                    self._act_at[key] = now + self.rng.uniform(self.plan.min_delay_s,
                                                               self.plan.max_delay_s)
                elif self._act_at[key] <= now:
                    await self._work(actor, task)
        await self._record_tests()

    async def _work(self, actor: _Actor, task: dict[str, Any]) -> None:
        task_id, attempt = task["task_id"], task["attempt"]
        if task["status"] == "assigned":
            await self._call("POST", f"/v1/tasks/{task_id}/start", actor.headers)
            self.tally.started += 1
        outcome = choose_outcome(self.plan, task.get("category", ""), self.rng)
        body = {"outcome": outcome, "request_id": request_id(task_id, attempt, "outcome"),
                "measure_applied": task["measure"] if outcome == "verified_measure_applied"
                else None}
        answer = await self._call("POST", f"/v1/tasks/{task_id}/outcomes", actor.headers,
                                  json=body)
        if answer:
            self.tally.outcomes[outcome] += 1
            self._act_at.pop((task_id, attempt), None)
            if outcome == "verified_measure_applied":
                self._followed[task_id] = actor

    async def _record_tests(self) -> None:
        today = datetime.now(SHANGHAI).date()
        for task_id, actor in list(self._followed.items()):
            task = await self._call("GET", f"/v1/tasks/{task_id}", actor.headers)
            tests = task.get("tests", [])
            for test in tests:
                if test["test_task_id"] in self._tested or test.get("result"):
                    continue
                if date.fromisoformat(test["test_date"]) > today:
                    continue
                self._tested.add(test["test_task_id"])
                result = choose_result(self.plan, self.rng)
                if result is None:
                    self.tally.tests["missed"] += 1
                    continue
                answer = await self._call(
                    "POST", f"/v1/tests/{test['test_task_id']}/results", actor.headers,
                    json={"result": result, "request_id": request_id(test["test_task_id"])})
                if answer:
                    self.tally.tests[result] += 1
            if tests and all(t["test_task_id"] in self._tested or t.get("result") for t in tests):
                del self._followed[task_id]


async def run_workers(plan: WorkerPlan) -> WorkerTally:
    """Enlist, then work rounds every `poll_s` until the duration is over."""
    async with httpx.AsyncClient(timeout=30) as client:
        simulator = WorkerSimulator(plan, client)
        await simulator.enlist()
        if not simulator.actors:
            raise RuntimeError(f"no grids or tokens at {plan.tasking_url}: load a grid directory "
                               "(`paicha grids load`) and check the admin token")
        deadline = None if plan.duration_s is None else time.monotonic() + plan.duration_s
        while deadline is None or time.monotonic() < deadline:
            await simulator.step()
            await asyncio.sleep(plan.poll_s)
        return simulator.tally
