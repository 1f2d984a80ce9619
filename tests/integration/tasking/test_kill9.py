"""kill -9 of a real tasking process (``python -m services.tasking``) while cases stream in and
deadlines fall due, then a restart: exactly one task per case, and every due timer (overdue at
grid, township, county) fired exactly once — none missed while it was down, none twice."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from contracts import events as ev
from paicha.stack.errors import free_port
from services.tasking.handlers import task_id_for
from tests.integration.intake.helpers import drop_database, read_topic
from tests.integration.tasking.helpers import ADMIN, case, produce, record, settings_env

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[3]
FAST_POLICY = """version: kill9-fast
unreachable: {retry_after_minutes: 1, max_attempts: 3}
system_fault: {requeue_after_minutes: 1}
escalation: {township_hours: 0.002, county_hours: 0.002, public_security_hours: 1}
requeue: {deadline_hours: 1}
tests: {result_due_hours: 24}
"""  # 0.002 h = 7.2 s at the township and again at the county


def start(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("TASKING_")}
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "services.tasking"], cwd=ROOT,
                                env={**base, **env}, stdout=out, stderr=subprocess.STDOUT)


async def wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            assert process.poll() is None, log.read_text()[-20000:]
            try:
                if (await client.get(f"{url}/readyz", timeout=2)).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError(f"tasking not ready: {log.read_text()[-3000:]}")


def batch(first: int, count: int, now: datetime) -> list[ev.Event]:
    out: list[ev.Event] = []
    for seq in range(first, first + count):
        due = timedelta(seconds=3 + (seq % 8))
        out += [record(seq, now=now), case(seq, now=now, due_in=due)]
    return out


async def test_after_kill_9_every_case_has_one_task_and_every_timer_fired_once(
        kafka_bootstrap: str, mongo_url: str, tmp_path: Path) -> None:
    namespace = f"t-tk-kill9-{uuid.uuid4().hex[:8]}"
    policy = tmp_path / "policy.yaml"
    policy.write_text(FAST_POLICY, "utf-8")
    port = free_port()
    env = {**settings_env(kafka_bootstrap, mongo_url, namespace),
           "TASKING_HTTP__PORT": str(port), "TASKING_POLICY_FILE": str(policy),
           "TASKING_LOG_LEVEL": "WARNING"}
    url, log = f"http://127.0.0.1:{port}", tmp_path / "tasking.log"
    first = start(env, log)
    try:
        await wait_ready(url, first, log)
        async with httpx.AsyncClient(base_url=url, headers=ADMIN) as client:
            grid = {"name": "g", "township_code": "130826100", "township_name": "大阁镇",
                    "villages": [{"code": "130826100200", "name": "北关村"}], "workers": []}
            assert (await client.put("/v1/grids/130826100-g1", json=grid)).status_code == 200
        now = datetime.now(UTC)
        early = batch(1000, 40, now)
        await produce(kafka_bootstrap, namespace, early)
        await asyncio.sleep(6)  # some grid deadlines passed, some not yet
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        first.kill()
    assert first.returncode == -signal.SIGKILL
    # While it is down: more cases, and the first batch again (a redelivery).
    await produce(kafka_bootstrap, namespace, [*batch(1040, 20, datetime.now(UTC)), *early])
    await asyncio.sleep(3)
    second = start(env, log)
    tasks_topic = f"{namespace}.paicha.tasking.tasks.v1"
    cases = [f"case-{seq}" for seq in range(1000, 1060)]
    try:
        await wait_ready(url, second, log)
        deadline = time.monotonic() + 120
        while True:
            found = await read_topic(kafka_bootstrap, tasks_topic)
            overdue = {(e.event.task_id, e.event.tier, e.id) for e in found
                       if isinstance(e.event, ev.TaskOverdue)}
            if len(overdue) >= 3 * len(cases) or time.monotonic() > deadline:
                break
            await asyncio.sleep(1)
        await asyncio.sleep(3)  # anything extra would show now
        found = await read_topic(kafka_bootstrap, tasks_topic)
        async with httpx.AsyncClient(base_url=url, headers=ADMIN) as client:
            listed = (await client.get("/v1/tasks", params={"limit": "500"})).json()["tasks"]
    finally:
        second.send_signal(signal.SIGTERM)
        try:
            second.wait(20)
        except subprocess.TimeoutExpired:
            second.kill()
        await drop_database(mongo_url, namespace.replace(".", "_"))

    assigned = [e.event for e in found if isinstance(e.event, ev.TaskAssigned)]
    assert {a.case_id for a in assigned} == set(cases)
    assert {a.task_id for a in assigned} == {task_id_for(c) for c in cases}
    assert sorted(t["case_id"] for t in listed) == sorted(cases)  # one task per case
    fired = Counter((e.event.task_id, e.event.tier.value) for e in
                    {e.id: e for e in found if isinstance(e.event, ev.TaskOverdue)}.values())
    expected = {(task_id_for(c), tier) for c in cases for tier in ("grid", "township", "county")}
    assert set(fired) == expected, "a due timer was missed"
    assert set(fired.values()) == {1}, "a due timer fired twice"
    raw = Counter((e.event.task_id, e.event.tier.value) for e in found
                  if isinstance(e.event, ev.TaskOverdue))
    print(f"\nTaskOverdue on the wire: {sum(raw.values())} for {len(expected)} timers "
          f"(re-publishes after the kill carry the same event id: "
          f"{sum(raw.values()) - len(expected)})")
    assert all(t["tier"] == "county" for t in listed)
