"""Two real tasking processes (``python -m services.tasking``) on one database in one consumer
group while cases stream in and deadlines fall due; one of them is stopped mid-stream (SIGTERM,
or kill -9). Afterwards: exactly one task per case, each announced once; every due timer
(overdue at grid, township, county) fired exactly once across both processes, none missed;
every outcome (the same one posted to both processes at once) applied once; and the survivor
owns every case partition."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient

from contracts import events as ev
from paicha.stack.errors import free_port
from services.tasking.handlers import task_id_for
from tests.integration.intake.helpers import drop_database, read_topic
from tests.integration.tasking.helpers import ADMIN, case, produce, record, settings_env
from tests.integration.tasking.test_kill9 import batch, start, wait_ready

pytestmark = pytest.mark.integration
PARTITIONS = 6
FAST_POLICY = """version: scale-out-fast
unreachable: {retry_after_minutes: 1, max_attempts: 3}
system_fault: {requeue_after_minutes: 1}
escalation: {township_hours: 0.001, county_hours: 0.001, public_security_hours: 1}
requeue: {deadline_hours: 1}
tests: {result_due_hours: 24}
"""  # 0.001 h = 3.6 s at the township and again at the county
EARLY, LATE, OUTCOMES = (1000, 30), (1030, 30), (2000, 10)


def stop_gracefully(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


def kill_9(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(10)


async def owned(url: str) -> float:
    async with httpx.AsyncClient() as client:
        text = (await client.get(f"{url}/metrics", timeout=5)).text
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith("paicha_tasking_owned_case_partitions "))


async def until_owned(urls: list[str], total: float, within_s: float = 40) -> list[float]:
    deadline = time.monotonic() + within_s
    while True:
        counts = [await owned(u) for u in urls]
        if (sum(counts) == total and min(counts) > 0) or time.monotonic() > deadline:
            return counts
        await asyncio.sleep(0.3)


async def stream(bootstrap: str, namespace: str, first: int, count: int) -> None:
    """Cases (with their records) in waves of five, 0.4 s apart."""
    for seq in range(first, first + count, 5):
        await produce(bootstrap, namespace, batch(seq, min(5, first + count - seq),
                                                  datetime.now(UTC)))
        await asyncio.sleep(0.4)


async def diagnose(urls: list[str]) -> list[list[str]]:
    out = []
    async with httpx.AsyncClient() as client:
        for url in urls:
            text = (await client.get(f"{url}/metrics", timeout=5)).text
            out.append([line for line in text.splitlines() if line.startswith((
                "paicha_tasking_messages_total", "paicha_tasking_dead_letters_total",
                "paicha_tasking_handler_retries", "paicha_tasking_consumer_lag"))])
    return out


async def conditional_writes_are_atomic(mongo_url: str) -> bool:
    """MongoDB applies `replace_one({_id, version}, …)` atomically; FerretDB v1 does not."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url)
    try:
        return "ferretdb" not in await client.admin.command("buildInfo")
    finally:
        await client.close()


async def post_outcome(url: str, case_id: str) -> int:
    body = {"outcome": "verified_no_risk", "request_id": f"req-{case_id}"}
    async with httpx.AsyncClient(base_url=url, headers=ADMIN) as client:
        answer = await client.post(f"/v1/tasks/{task_id_for(case_id)}/outcomes", json=body,
                                   timeout=20)
    return answer.status_code


async def scenario(kafka_bootstrap: str, mongo_url: str, tmp_path: Path,
                   stop: Callable[[subprocess.Popen[bytes]], None]) -> None:
    namespace = f"t-tk-scale-{uuid.uuid4().hex[:8]}"
    policy = tmp_path / "policy.yaml"
    policy.write_text(FAST_POLICY, "utf-8")
    base = {**settings_env(kafka_bootstrap, mongo_url, namespace),
            "TASKING_POLICY_FILE": str(policy), "TASKING_LOG_LEVEL": "WARNING",
            "TASKING_TIMER_RESYNC_S": "2"}
    ports = [free_port(), free_port()]
    urls = [f"http://127.0.0.1:{p}" for p in ports]
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    procs = [start({**base, "TASKING_HTTP__PORT": str(p)}, log)
             for p, log in zip(ports, logs, strict=True)]
    outcome_cases = [f"case-{seq}" for seq in range(OUTCOMES[0], sum(OUTCOMES))]
    cases = [f"case-{seq}" for seq in range(EARLY[0], LATE[0] + LATE[1])]
    tasks_topic = f"{namespace}.paicha.tasking.tasks.v1"
    began = time.monotonic()

    def phase(name: str) -> None:
        print(f"\n{time.monotonic() - began:6.1f} s  {name}", end="")

    try:
        await asyncio.gather(*(wait_ready(u, p, log)
                               for u, p, log in zip(urls, procs, logs, strict=True)))
        phase("both ready")
        counts = await until_owned(urls, PARTITIONS)
        phase("both own partitions")
        assert sorted(counts) == [3, 3], counts  # both hold case partitions
        async with httpx.AsyncClient(base_url=urls[0], headers=ADMIN) as client:
            grid = {"name": "g", "township_code": "130826100", "township_name": "大阁镇",
                    "villages": [{"code": "130826100200", "name": "北关村"}], "workers": []}
            assert (await client.put("/v1/grids/130826100-g1", json=grid)).status_code == 200
        now = datetime.now(UTC)
        await produce(kafka_bootstrap, namespace, [
            *batch(*EARLY, now),
            *[e for seq in range(OUTCOMES[0], sum(OUTCOMES)) for e in (
                record(seq, now=now), case(seq, now=now, due_in=timedelta(hours=1)))]])
        streaming = asyncio.create_task(stream(kafka_bootstrap, namespace, *LATE))
        # The same outcome posted to both processes at once, for half of the outcome cases —
        # on a store whose conditional writes are atomic (MongoDB). FerretDB v1's are not
        # (test_version_guard.py, docs/tasking.md "Known limits": one tasking process per
        # database there), so on it each outcome goes to one process, alternately.
        racing = await conditional_writes_are_atomic(mongo_url)
        for n, case_id in enumerate(outcome_cases[:5]):
            targets = urls if racing else [urls[n % 2]]
            for _ in range(100):
                answers = await asyncio.gather(*(post_outcome(u, case_id) for u in targets))
                if 404 not in answers:
                    break
                await asyncio.sleep(0.2)  # the case is not in yet
            if not set(answers) <= {200, 409}:
                print("\n".join(str(x) for x in await diagnose(urls)))
            assert set(answers) <= {200, 409}, answers
        await asyncio.sleep(1.5)  # mid-stream, some grid deadlines passed
        phase("stopping the first")
        stop(procs[0])
        phase("stopped")
        for case_id in outcome_cases[5:]:
            for _ in range(100):
                if (answer := await post_outcome(urls[1], case_id)) != 404:
                    break
                await asyncio.sleep(0.2)
            assert answer == 200
        await streaming
        expected = {(task_id_for(c), tier) for c in cases for tier in ("grid", "township",
                                                                       "county")}
        deadline = time.monotonic() + 60
        while True:
            found = await read_topic(kafka_bootstrap, tasks_topic)
            overdue = {(e.event.task_id, e.event.tier.value) for e in found
                       if isinstance(e.event, ev.TaskOverdue)}
            if overdue >= expected or time.monotonic() > deadline:
                break
            await asyncio.sleep(1)
        phase("every timer fired")
        await asyncio.sleep(3)  # anything extra would show now
        found = await read_topic(kafka_bootstrap, tasks_topic)
        resolutions = await read_topic(kafka_bootstrap,
                                       f"{namespace}.paicha.tasking.resolutions.v1")
        async with httpx.AsyncClient(base_url=urls[1], headers=ADMIN) as client:
            listed = (await client.get("/v1/tasks", params={"limit": "500"})).json()["tasks"]
            closed = (await client.get("/v1/tasks", params={"limit": "500", "status": "closed"})
                      ).json()["tasks"]
        survivor_owns = await owned(urls[1])
        phase("read back")
        assert procs[1].poll() is None, logs[1].read_text()[-5000:]
    finally:
        for process in procs:
            if process.poll() is None:
                stop_gracefully(process)
        await drop_database(mongo_url, namespace.replace(".", "_"))

    unique = list({e.id: e for e in found}.values())
    assigned = Counter(e.event.task_id for e in unique if isinstance(e.event, ev.TaskAssigned))
    all_cases = cases + outcome_cases
    assert set(assigned) == {task_id_for(c) for c in all_cases}, "a case has no task"
    assert set(assigned.values()) == {1}, "a task was announced twice"
    assert sorted(t["case_id"] for t in listed) == sorted(cases)  # one task per case
    assert sorted(t["case_id"] for t in closed) == sorted(outcome_cases)
    fired = Counter((e.event.task_id, e.event.tier.value) for e in unique
                    if isinstance(e.event, ev.TaskOverdue))
    assert set(fired) == expected, f"due timers missed: {len(expected - set(fired))}"
    assert set(fired.values()) == {1}, "a due timer fired twice"
    recorded = Counter(e.event.task_id for e in unique
                       if isinstance(e.event, ev.TaskOutcomeRecorded))
    assert recorded == {task_id_for(c): 1 for c in outcome_cases}, "an outcome not applied once"
    resolved = Counter(e.event.case_id for e in {e.id: e for e in resolutions}.values()
                       if isinstance(e.event, ev.CaseResolved))
    assert resolved == {c: 1 for c in outcome_cases}
    assert survivor_owns == PARTITIONS
    raw = sum(isinstance(e.event, ev.TaskOverdue) for e in found)
    print(f"\nTaskOverdue on the wire: {raw} for {len(expected)} timers")


async def test_sigterm_of_one_of_two_tasking_processes(kafka_bootstrap: str, mongo_url: str,
                                                       tmp_path: Path) -> None:
    await scenario(kafka_bootstrap, mongo_url, tmp_path, stop_gracefully)


async def test_kill_9_of_one_of_two_tasking_processes(kafka_bootstrap: str, mongo_url: str,
                                                      tmp_path: Path) -> None:
    await scenario(kafka_bootstrap, mongo_url, tmp_path, kill_9)
