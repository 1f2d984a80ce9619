"""Benchmark (not a test): the ceiling for Python on this machine — a bare chain of four
aiokafka relay hops (consume → JSON decode → JSON encode → produce) on the same broker.

Compare a service's records/s with this: it is what four hops cost with no validation, no
store and no framework. Usage:

    python benchmarks/relay_ceiling.py --bootstrap 127.0.0.1:9092 --records 50000
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import time
import uuid

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

HOPS = 4
PAYLOAD = {"record_id": "0" * 36, "feed": "bigdata", "person_key": "f" * 64,
           "origin": {"area_code": "110105001", "area_name": "北京市朝阳区某街道"},
           "arrived_at": "2026-11-28T09:30:00+08:00", "details": {"signal": "electronic_fence"},
           "padding": "x" * 300}


async def relay(bootstrap: str, source: str, target: str, group: str, stop: asyncio.Event) -> None:
    consumer = AIOKafkaConsumer(source, bootstrap_servers=bootstrap, group_id=group,
                                auto_offset_reset="earliest", enable_auto_commit=False)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5,
                                enable_idempotence=True, max_batch_size=256 * 1024)
    await consumer.start()
    await producer.start()
    try:
        while not stop.is_set():
            batches = await consumer.getmany(timeout_ms=200, max_records=2000)
            futures = []
            for messages in batches.values():
                for m in messages:
                    value = orjson.dumps(orjson.loads(m.value))
                    futures.append(await producer.send(target, value, key=m.key))
            if futures:
                await asyncio.gather(*futures)  # acked before the offsets are committed
                await consumer.commit()
    finally:
        await consumer.stop()
        await producer.stop()


async def main(bootstrap: str, records: int, partitions: int) -> None:
    run = f"relay-{uuid.uuid4().hex[:8]}"
    topics = [f"{run}.hop{i}" for i in range(HOPS + 1)]
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    await admin.create_topics([NewTopic(t, partitions, 1) for t in topics])
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    await producer.start()
    value = orjson.dumps(PAYLOAD)
    futures = [await producer.send(topics[0], value, key=str(i).encode())
               for i in range(records)]
    await asyncio.gather(*futures)
    await producer.stop()
    print(f"pre-loaded {records} messages of {len(value)} bytes on {topics[0]} "
          f"({partitions} partitions)")

    stop = asyncio.Event()
    sink = AIOKafkaConsumer(topics[-1], bootstrap_servers=bootstrap, group_id=f"{run}-sink",
                            auto_offset_reset="earliest")
    await sink.start()
    started = time.monotonic()
    relays = [asyncio.create_task(relay(bootstrap, topics[i], topics[i + 1], f"{run}-{i}", stop))
              for i in range(HOPS)]
    seen, first = 0, None
    while seen < records:
        for messages in (await sink.getmany(timeout_ms=500)).values():
            seen += len(messages)
            first = first or time.monotonic()
    elapsed = time.monotonic() - started
    stop.set()
    await asyncio.gather(*relays)
    await sink.stop()
    await admin.delete_topics(topics)
    await admin.close()
    print(f"{HOPS} relay hops in one process: {records} messages through in {elapsed:.1f} s = "
          f"{records / elapsed:,.0f} messages/s end to end "
          f"(first arrival after {(first or started) - started:.2f} s)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", default="127.0.0.1:9092")
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--partitions", type=int, default=6)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)  # metadata warnings right after topic creation
    asyncio.run(main(args.bootstrap, args.records, args.partitions))
