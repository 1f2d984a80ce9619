"""The README's start command, end to end: `paicha up` brings up Kafka, PostgreSQL, FerretDB,
the four services and both simulators; simulated records become cases, tasks and the report;
every protected route of every service refuses all but the right token; `paicha down` leaves
nothing."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from paicha.stack.errors import free_port
from tests.e2e.auth_matrix import walk

pytestmark = pytest.mark.integration


def _paicha(env: dict[str, str], *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "paicha", *args],
        env={**os.environ, **env, "COLUMNS": "200"}, capture_output=True, text=True,
        timeout=timeout,
    )


def _metric_sum(text: str, name: str) -> float:
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith(name + "{") or line.startswith(name + " "))


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False


async def test_paicha_up_runs_the_pipeline_and_down_stops_everything(unique_name):
    env = {
        "PAICHA_STACK_NAME": unique_name("e2e"),
        "PAICHA_STACK_KAFKA_PORT": str(free_port()),
        "PAICHA_STACK_KAFKA_CONTROLLER_PORT": str(free_port()),
        "PAICHA_STACK_MONGO_PORT": str(free_port()),
        "PAICHA_STACK_INTAKE_PORT": str(free_port()),
        "PAICHA_STACK_TRIAGE_PORT": str(free_port()),
        "PAICHA_STACK_TASKING_PORT": str(free_port()),
        "PAICHA_STACK_REPORTING_PORT": str(free_port()),
        "PAICHA_STACK_POSTGRES_PORT": str(free_port()),
    }
    reporting = f"http://127.0.0.1:{env['PAICHA_STACK_REPORTING_PORT']}"
    intake = f"http://127.0.0.1:{env['PAICHA_STACK_INTAKE_PORT']}"
    triage = f"http://127.0.0.1:{env['PAICHA_STACK_TRIAGE_PORT']}"
    tasking = f"http://127.0.0.1:{env['PAICHA_STACK_TASKING_PORT']}"
    try:
        up = _paicha(env, "up", "--rate", "20")
        assert up.returncode == 0, up.stdout + up.stderr
        assert "10 demo grids loaded into tasking" in up.stdout, up.stdout + up.stderr
        accepted = cases = tasks = 0.0
        deadline = time.monotonic() + 180  # generous: CI machines are busy
        async with httpx.AsyncClient(timeout=5) as client:
            while time.monotonic() < deadline and not (accepted >= 20 and cases >= 20
                                                       and tasks >= 20):
                await asyncio.sleep(2)
                accepted = _metric_sum((await client.get(f"{intake}/metrics")).text,
                                       "paicha_intake_records_accepted_total")
                cases = _metric_sum((await client.get(f"{triage}/metrics")).text,
                                    "paicha_triage_cases_opened_total")
                tasks = _metric_sum((await client.get(f"{tasking}/metrics")).text,
                                    "paicha_tasking_tasks_assigned_total")
            designations = (await client.get(f"{triage}/v1/risk-areas")).json()
            pushed = 0
            while time.monotonic() < deadline + 60 and pushed < 20:
                report = (await client.get(f"{reporting}/v1/reports/daily")).json()
                pushed = report["cumulative"]["pushed"]
                await asyncio.sleep(2)
        assert accepted >= 20 and cases >= 20 and tasks >= 20, (accepted, cases, tasks)
        assert pushed >= 20, report  # the records reached the report
        assert designations["count"] >= 1  # the simulator published its demo designations

        admin = _paicha(env, "token", "local").stdout.strip()
        worker = _paicha(env, "token", "new", "--grid", "130826100-g1", "--worker",
                         "g-130826100-1", "--url", tasking)
        assert worker.returncode == 0, worker.stdout + worker.stderr
        worker_token = worker.stdout.split("token:", 1)[1].split()[0]
        urls = {"intake": intake, "triage": triage, "tasking": tasking, "reporting": reporting}
        async with httpx.AsyncClient(timeout=30) as client:
            calls, wrong = await walk(client, urls, admin, worker_token)
        assert {c.service for c in calls} == set(urls), calls
        assert len(calls) >= 12, calls
        assert wrong == [], "\n".join(wrong)

        status = _paicha(env, "status")
        assert status.returncode == 0, status.stdout
        rows = [line.split("│") for line in status.stdout.splitlines() if line.startswith("│")]
        pids = {row[1].strip(): int(row[3]) for row in rows if row[3].strip().isdigit()}
        assert set(pids) == {"kafka", "postgresql", "ferretdb", "intake", "triage", "tasking",
                             "reporting", "simulator", "workers"}
    finally:
        down = _paicha(env, "down", "--wipe")
    assert down.returncode == 0
    assert not [name for name, pid in pids.items() if _alive(pid)]
    assert _paicha(env, "status").returncode == 3
