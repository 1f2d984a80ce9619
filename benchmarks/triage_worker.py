"""Records per second through the triage worker alone.

Pre-loads N RecordReceived events on a fresh records topic (a unique namespace on the broker),
starts `python -m services.triage` as a real process, and times until N case events (one per
record: opened, merged or reclassified) are on the cases topic. Prints the rate from process
start (includes start-up) and from the first case event (steady state).

    .venv/bin/python -m benchmarks.triage_worker --bootstrap 127.0.0.1:9092 --records 20000
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

from aiokafka import AIOKafkaConsumer, TopicPartition

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from contracts.events import Exposure, Feed
from tests.integration.triage.worker import (
    TriageWorker,
    create_topics,
    produce,
    topic_names,
)
from tests.unit.triage_service.builders import kafka_message, record

FEEDS = list(Feed)


def build(n: int) -> list:
    """n records for about 3n/4 people: first records open cases, the rest merge or raise."""
    people = max(1, n * 3 // 4)
    out = []
    for i in range(n):
        person, again = i % people + 1, i >= people
        exposure = Exposure.CLOSE_CONTACT if again and i % 5 == 0 else Exposure.NONE
        r = record(person, record_id=f"bench-{i}", feed=FEEDS[i % len(FEEDS)],
                   exposure=exposure)
        out.append((r, kafka_message(r)))
    return out


async def count_until(bootstrap: str, topic: str, n: int, worker: TriageWorker,
                      patience: float) -> tuple[float, float]:
    """Wall-clock times of the first and the n-th case event."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        parts = None
        while not parts:
            parts = consumer.partitions_for_topic(topic)
            if not parts:
                await consumer._client.force_metadata_update()
                await asyncio.sleep(0.2)
        tps = [TopicPartition(topic, p) for p in sorted(parts)]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        seen, first, deadline = 0, 0.0, time.monotonic() + patience
        while seen < n:
            if time.monotonic() > deadline:
                raise SystemExit(f"timed out with {seen}/{n} case events\n{worker.tail()}")
            worker.alive()
            batch = await consumer.getmany(timeout_ms=200, max_records=10_000)
            got = sum(len(records) for records in batch.values())
            if got and not first:
                first = time.monotonic()
            seen += got
        return first, time.monotonic()
    finally:
        await consumer.stop()


async def run(bootstrap: str, n: int, patience: float) -> None:
    namespace = f"bench-{uuid.uuid4().hex[:8]}"
    partitions = await create_topics(bootstrap, namespace)
    records_topic, cases_topic = topic_names(namespace)
    events = build(n)
    t0 = time.monotonic()
    await produce(bootstrap, records_topic, events)
    print(f"pre-loaded {n} records on {records_topic} ({partitions} partitions) "
          f"in {time.monotonic() - t0:.1f}s", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        worker = TriageWorker(bootstrap, namespace, Path(tmp),
                              extra_env={"TRIAGE_LOG_LEVEL": "warning"})
        started = time.monotonic()
        worker.start()
        try:
            first, last = await count_until(bootstrap, cases_topic, n, worker, patience)
        finally:
            worker.stop()
    total, steady = last - started, last - first
    print(f"{n} case events in {total:.1f}s from process start: {n / total:,.0f} records/s")
    print(f"steady state (first to last case event, {steady:.1f}s): "
          f"{n / max(steady, 1e-9):,.0f} records/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", default=os.environ.get("PAICHA_TEST_KAFKA",
                                                              "127.0.0.1:9092"))
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()
    asyncio.run(run(args.bootstrap, args.records, args.timeout))


if __name__ == "__main__":
    main()
