"""Running `python -m services.triage` as a real worker process on the real broker, and reading
and writing its topics, for the triage integration tests and the benchmark."""

from __future__ import annotations

import asyncio
import hashlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from contracts.envelope import Envelope, EnvelopeError, decode_envelope
from contracts.events import Event
from contracts.topics import CASES, RECORDS, registry
from paicha.stack.errors import free_port

REPO = Path(__file__).resolve().parents[3]
# The workers' admin token (a test value; the worker keeps only its SHA-256).
ADMIN_TOKEN = "pc_admin_integration-test-token-0123456789abcdef"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@dataclass
class TriageWorker:
    """One worker process; `start()` again after `stop()` or `kill()` restarts it."""

    bootstrap: str
    namespace: str
    workdir: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def log(self) -> Path:
        return self.workdir / "worker.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        return {**os.environ, "TRIAGE_KAFKA__BOOTSTRAP": self.bootstrap,
                "TRIAGE_KAFKA__TOPIC_NAMESPACE": self.namespace,
                "TRIAGE_APP_ID": f"{self.namespace}-triage",
                "TRIAGE_HTTP_HOST": "127.0.0.1", "TRIAGE_HTTP_PORT": str(self.port),
                "TRIAGE_DATA_DIR": str(self.workdir / "data"),
                "TRIAGE_SESSION_TIMEOUT_SECONDS": "6",
                "TRIAGE_LOG_LEVEL": os.environ.get("TRIAGE_LOG_LEVEL", "info"),
                "TRIAGE_ADMIN_TOKEN_HASH": hashlib.sha256(ADMIN_TOKEN.encode()).hexdigest(),
                **self.extra_env}

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "services.triage"], cwd=REPO,
                                         env=self.env(), stdout=out, stderr=subprocess.STDOUT)

    def tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""

    def alive(self) -> None:
        assert self.proc is not None and self.proc.poll() is None, (
            f"worker exited ({self.proc and self.proc.returncode}):\n{self.tail()}")

    async def ready(self, patience: float = 90) -> None:
        deadline = time.monotonic() + patience
        async with httpx.AsyncClient(timeout=2) as client:
            while time.monotonic() < deadline:
                self.alive()
                try:
                    if (await client.get(f"{self.url}/readyz")).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.3)
        raise AssertionError(f"worker not ready in {patience}s:\n{self.tail()}")

    def stop(self) -> int | None:
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()

    def kill(self) -> None:
        """kill -9: no commit, no flush, no goodbye to the group."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


async def produce(bootstrap: str, topic: str, events: Iterable[tuple[Event, dict]]) -> None:
    """Send (event, kafka_message(event)) pairs and wait until all are acknowledged."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    await producer.start()
    try:
        futures = [await producer.send(topic, m["value"], key=m["key"], headers=m["headers"])
                   for _, m in events]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()


class TopicReader:
    """Reads a whole topic from the beginning without a consumer group, decoding each event."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.bootstrap, self.topic = bootstrap, topic
        self.envelopes: list[Envelope] = []
        self.undecodable = 0
        self._consumer: AIOKafkaConsumer | None = None

    async def __aenter__(self) -> TopicReader:
        self._consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap,
                                          enable_auto_commit=False)
        await self._consumer.start()
        for _ in range(50):
            parts = self._consumer.partitions_for_topic(self.topic)
            if parts:
                break
            await self._consumer._client.force_metadata_update()
            await asyncio.sleep(0.2)
        tps = [TopicPartition(self.topic, p) for p in sorted(parts or ())]
        self._consumer.assign(tps)
        await self._consumer.seek_to_beginning(*tps)
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._consumer is not None
        await self._consumer.stop()

    async def poll(self) -> None:
        assert self._consumer is not None
        batches = await self._consumer.getmany(timeout_ms=300, max_records=5000)
        for records in batches.values():
            for r in records:
                try:
                    self.envelopes.append(decode_envelope(r.headers, r.value or b"", r.key))
                except EnvelopeError:
                    self.undecodable += 1

    async def until(self, done, worker: TriageWorker | None = None, patience: float = 60):
        """Poll until `done(envelopes)` is true; returns the envelopes."""
        deadline = time.monotonic() + patience
        while not done(self.envelopes):
            if time.monotonic() > deadline:
                tail = worker.tail() if worker else ""
                raise AssertionError(f"timed out with {len(self.envelopes)} events\n{tail}")
            if worker is not None:
                worker.alive()
            await self.poll()
        return self.envelopes


def topic_names(namespace: str) -> tuple[str, str]:
    reg = registry(namespace)
    return reg.name(RECORDS), reg.name(CASES)


async def create_topics(bootstrap: str, namespace: str) -> int:
    """The worker's topics, created up front so test records land in the right partitions."""
    from paicha_runtime.kafka import KafkaSettings
    from services.triage.adapters.topics import prepare_topics
    from services.triage.settings import TriageSettings

    settings = TriageSettings(kafka=KafkaSettings(bootstrap=bootstrap, topic_namespace=namespace),
                              app_id=f"{namespace}-triage")
    return await prepare_topics(settings)


async def where_unhandled(bootstrap: str, group: str, topic: str, person_keys: set[str]) -> str:
    """For a failure message: per partition of `topic`, the group's committed offset, the end
    offset, and the offsets of the records of `person_keys` (those left without a case)."""
    offsets: dict[int, list[int]] = {}
    async with TopicReader(bootstrap, topic) as reader:
        assert reader._consumer is not None
        tps = sorted(reader._consumer.assignment(), key=lambda tp: tp.partition)
        ends = await reader._consumer.end_offsets(tps)
        positions: dict[TopicPartition, int] = {}
        while any(positions.get(tp, 0) < ends[tp] for tp in tps):
            batches = await reader._consumer.getmany(timeout_ms=300, max_records=5000)
            for tp, records in batches.items():
                for r in records:
                    positions[tp] = r.offset + 1
                    try:
                        event = decode_envelope(r.headers, r.value or b"", r.key).event
                    except EnvelopeError:
                        continue
                    if getattr(event, "person_key", None) in person_keys:
                        offsets.setdefault(tp.partition, []).append(r.offset)
    group_reader = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group,
                                    enable_auto_commit=False)
    await group_reader.start()
    try:
        committed = {tp.partition: await group_reader.committed(tp) for tp in tps}
    finally:
        await group_reader.stop()
    return "; ".join(f"p{tp.partition}: committed {committed[tp.partition]}, end {ends[tp]}, "
                     f"unhandled at {offsets.get(tp.partition, [])}" for tp in tps)
