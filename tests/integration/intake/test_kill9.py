"""kill -9 of a real intake process (uvicorn on a free port, settings by environment) right
after a 202: the record is on the topic, and after a restart a re-push is a duplicate."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from paicha.stack.errors import free_port
from services.intake.events import record_id
from tests.integration.intake.helpers import (
    auth,
    drop_database,
    read_topic,
    settings_env,
    where,
)
from tests.unit.intake.builders import record, source_id

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[3]




def start_intake(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("INTAKE_")}
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "services.intake"], cwd=ROOT,
                                env={**base, **env}, stdout=out, stderr=subprocess.STDOUT)


async def wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            assert process.poll() is None, log.read_text()[-3000:]
            try:
                if (await client.get(f"{url}/readyz", timeout=2)).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError(f"intake not ready: {log.read_text()[-3000:]}")


async def test_a_record_acknowledged_before_kill_9_survives_and_is_not_duplicated(
        kafka_bootstrap, mongo_url, tmp_path):
    namespace = f"t-kill9-{uuid.uuid4().hex[:8]}"
    port = free_port()
    env = {**settings_env(kafka_bootstrap, mongo_url, namespace),
           "INTAKE_HTTP__PORT": str(port), "INTAKE_LOG_LEVEL": "WARNING"}
    url, log = f"http://127.0.0.1:{port}", tmp_path / "intake.log"
    raw = record("assist", seq=95, source_record_id=source_id("kill9"))
    rid = record_id("assist", raw["source_record_id"])
    records_topic = f"{namespace}.paicha.intake.records.v1"

    process = start_intake(env, log)
    try:
        await wait_ready(url, process, log)
        async with httpx.AsyncClient() as client:
            response = await client.post(f"{url}/v1/feeds/assist/records",
                                         json={"records": [raw]}, headers=auth("assist"))
        process.send_signal(signal.SIGKILL)
        assert response.status_code == 202 and response.json()["accepted"] == 1
    finally:
        process.kill()
        process.wait(10)
    assert process.returncode == -signal.SIGKILL
    assert len(where(await read_topic(kafka_bootstrap, records_topic),
                     lambda e: e.record_id == rid)) == 1

    process = start_intake(env, log)
    try:
        await wait_ready(url, process, log)
        async with httpx.AsyncClient() as client:
            again = await client.post(f"{url}/v1/feeds/assist/records",
                                      json={"records": [raw]}, headers=auth("assist"))
    finally:  # kill again: a clean stop would wait for the group to evict the killed member
        process.kill()
        process.wait(10)
    assert again.status_code == 202
    assert (again.json()["accepted"], again.json()["duplicates"]) == (0, 1)
    assert len(where(await read_topic(kafka_bootstrap, records_topic),
                     lambda e: e.record_id == rid)) == 1
    assert "Traceback" not in log.read_text()
    await drop_database(mongo_url, env["INTAKE_MONGO__DATABASE"])
