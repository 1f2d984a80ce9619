"""Benchmark (not a test): cases/s tasking turns into assigned tasks, and the latency from a
CaseOpened on the cases topic to its TaskAssigned on the tasks topic (p50/p99), with the
contact record sent just before each case. tasking runs in this process on its own topic
namespace and database, against a running Kafka and store.

    python benchmarks/tasking_cases.py --kafka 127.0.0.1:9092 --mongo mongodb://127.0.0.1:27017/ \
        --cases 500 [--ferretdb-postgresql-url postgres://paicha@127.0.0.1:5433/ferretdb]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer  # noqa: E402
from pymongo import AsyncMongoClient  # noqa: E402

from contracts import events as ev  # noqa: E402
from contracts.envelope import decode_envelope, derived_event_id, encode  # noqa: E402
from services.tasking.app import create_app  # noqa: E402
from services.tasking.bootstrap import build  # noqa: E402
from tests.integration.tasking.helpers import case, make_settings, record  # noqa: E402


async def produce(kafka: str, namespace: str, events: list[ev.Event]) -> None:
    """All input events pipelined (one producer, every send awaited together) so the input
    side does not limit what is measured; per topic the order is kept."""
    producer = AIOKafkaProducer(bootstrap_servers=kafka, acks="all", linger_ms=5)
    await producer.start()
    try:
        futures = []
        for event in events:
            msg = encode(event, source="/bench", key=event.entity_key(),
                         event_id=derived_event_id("bench", event.model_dump_json()))
            futures.append(await producer.send(f"{namespace}.{event.topic}", msg.value,
                                               key=msg.key, headers=msg.headers))
        await asyncio.gather(*futures)
    finally:
        await producer.stop()


async def run(kafka: str, mongo: str, count: int, pg_url: str | None = None) -> None:
    namespace = f"bench-tasking-{uuid.uuid4().hex[:8]}"
    settings = make_settings(kafka, mongo, namespace, create_topics=True)
    settings.mongo.ferretdb_postgresql_url = pg_url  # pushdown (GIN) indexes, as the stack has
    components = build(settings)
    app = create_app(components)
    async with app.router.lifespan_context(app):
        now = datetime.now(UTC)
        events: list[ev.Event] = []
        for seq in range(100000, 100000 + count):
            events += [record(seq, now=now), case(seq, now=now)]
        consumer = AIOKafkaConsumer(f"{namespace}.paicha.tasking.tasks.v1",
                                    bootstrap_servers=kafka, auto_offset_reset="earliest")
        await consumer.start()
        started = time.perf_counter()
        await produce(kafka, namespace, events)
        produced = time.perf_counter()
        latencies: list[float] = []
        while len(latencies) < count and time.perf_counter() - started < 600:
            batch = await consumer.getmany(timeout_ms=1000)
            for messages in batch.values():
                for m in messages:
                    env = decode_envelope(m.headers or [], m.value or b"", m.key)
                    if isinstance(env.event, ev.TaskAssigned) and env.time is not None:
                        latencies.append((env.time - now).total_seconds())
        finished = time.perf_counter()
        await consumer.stop()
    client: AsyncMongoClient = AsyncMongoClient(mongo)
    await client.drop_database(settings.mongo.database)
    await client.close()
    lat = sorted(latencies)
    print(f"{len(lat)}/{count} cases assigned in {finished - started:.1f} s "
          f"({len(lat) / (finished - started):.0f} cases/s; producing {2 * count} input "
          f"events took {produced - started:.1f} s)")
    if lat:
        print(f"input produced -> TaskAssigned: p50 {statistics.median(lat):.2f} s, "
              f"p99 {lat[int(0.99 * (len(lat) - 1))]:.2f} s (includes the produce time)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kafka", default="127.0.0.1:9092")
    parser.add_argument("--mongo", default="mongodb://127.0.0.1:27017/")
    parser.add_argument("--cases", type=int, default=500)
    parser.add_argument("--ferretdb-postgresql-url", default=None,
                        help="the PostgreSQL under FerretDB (its pushdown indexes are made)")
    args = parser.parse_args()
    asyncio.run(run(args.kafka, args.mongo, args.cases, args.ferretdb_postgresql_url))


if __name__ == "__main__":
    main()
