"""faust-streaming is real: a worker's table survives a restart by replaying its changelog."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from paicha.stack.errors import free_port

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]


def _start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "faust",
                "-A",
                "tests.integration.apps.faust_counter",
                "worker",
                "-l",
                os.environ.get("COUNTER_LOGLEVEL", "info"),
            ],
            cwd=REPO,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )


async def _counts(
    port: int, want: dict[str, int], proc: subprocess.Popen[bytes], log: Path
) -> dict:
    seen: dict = {}
    for _ in range(120):
        assert proc.poll() is None, f"worker exited:\n{log.read_text()[-3000:]}"
        try:
            async with httpx.AsyncClient(timeout=2) as client:
                seen = (await client.get(f"http://127.0.0.1:{port}/counts/")).json()
        except httpx.HTTPError:
            pass
        if seen == want:
            return seen
        await asyncio.sleep(0.5)
    return seen


async def _send(bootstrap: str, topic: str, words: list[tuple[str, str]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for word, message_id in words:
            # faust's default serializer is JSON, for keys and values alike
            value = json.dumps({"word": word, "id": message_id}).encode()
            await producer.send_and_wait(topic, value, key=json.dumps(word).encode())
    finally:
        await producer.stop()


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


async def test_table_is_recovered_from_changelog_after_worker_restart(
    kafka_bootstrap, unique_name, tmp_path
):
    topic = unique_name("words")
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, 2, 1)])
    finally:
        await admin.close()
    port = free_port()
    env = {
        "COUNTER_APP_ID": unique_name("counter"),
        "COUNTER_BROKER": kafka_bootstrap,
        "COUNTER_TOPIC": topic,
        "COUNTER_WEB_PORT": str(port),
        "COUNTER_DATADIR": str(tmp_path / "faust"),
        "COUNTER_GUARANTEE": os.environ.get("COUNTER_GUARANTEE", "at_least_once"),
    }
    log = tmp_path / "worker.log"

    await _send(
        kafka_bootstrap, topic, [("密接", "m1"), ("密接", "m2"), ("高风险", "m3"), ("密接", "m4")]
    )
    worker = _start_worker(env, log)
    try:
        first = await _counts(port, {"密接": 3, "高风险": 1}, worker, log)
    finally:
        _stop(worker)
    assert first == {"密接": 3, "高风险": 1}, log.read_text()[-3000:]

    # The store is memory://, so after the restart the table only has what the changelog holds.
    worker = _start_worker(env, log)
    try:
        recovered = await _counts(port, {"密接": 3, "高风险": 1}, worker, log)
        assert recovered == {"密接": 3, "高风险": 1}, log.read_text()[-3000:]
        # …and the recovered table goes on taking new messages.
        await _send(kafka_bootstrap, topic, [("高风险", "m5"), ("低风险", "m6")])
        second = await _counts(port, {"密接": 3, "高风险": 2, "低风险": 1}, worker, log)
    finally:
        _stop(worker)
    assert second == {"密接": 3, "高风险": 2, "低风险": 1}, log.read_text()[-3000:]
