"""Benchmark (not a test): the ceiling for Python on this machine — a bare chain of four
aiokafka relay hops (consume → JSON decode → JSON encode → produce) on the same broker.

Compare a service's records/s with this: it is what four hops cost with no validation, no
store and no framework. Two measurements, each on its own fresh topics:

- throughput: N messages pre-loaded on the first topic, then the four relays started; messages/s
  from the relays' start until the last one reached the end of the chain;
- latency at a fixed offered rate: messages produced at R/s for S s while the relays run; per
  message, the time from its produce being acknowledged (as intake's push call returns after
  Kafka's ack) to its arrival at a sink consumer after the fourth hop (one clock: this process's
  ``time.monotonic``).

Usage:

    python benchmarks/relay_ceiling.py --bootstrap 127.0.0.1:9092 --records 50000 \
        [--rate 500 --seconds 10]

``benchmarks/whole_chain.py`` imports ``throughput`` and ``latency_at_rate``.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

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


class _Chain:
    """Fresh topics and four relay tasks in this process; ``close`` removes the topics."""

    def __init__(self, bootstrap: str, partitions: int) -> None:
        self.bootstrap, self.partitions = bootstrap, partitions
        self.run = f"relay-{uuid.uuid4().hex[:8]}"
        self.topics = [f"{self.run}.hop{i}" for i in range(HOPS + 1)]
        self.stop = asyncio.Event()
        self.relays: list[asyncio.Task[None]] = []
        self.admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)

    async def create(self) -> None:
        await self.admin.start()
        await self.admin.create_topics([NewTopic(t, self.partitions, 1) for t in self.topics])

    def start_relays(self) -> None:
        self.relays = [asyncio.create_task(relay(self.bootstrap, self.topics[i],
                                                 self.topics[i + 1], f"{self.run}-{i}",
                                                 self.stop))
                       for i in range(HOPS)]

    async def sink(self) -> AIOKafkaConsumer:
        consumer = AIOKafkaConsumer(self.topics[-1], bootstrap_servers=self.bootstrap,
                                    group_id=f"{self.run}-sink", auto_offset_reset="earliest")
        await consumer.start()
        return consumer

    async def close(self) -> None:
        self.stop.set()
        await asyncio.gather(*self.relays, return_exceptions=True)
        try:
            await self.admin.delete_topics(self.topics)
        finally:
            await self.admin.close()


async def throughput(bootstrap: str, records: int, partitions: int = 6,
                     say: Callable[[str], Any] = print) -> dict[str, Any]:
    """Messages/s through the four hops for ``records`` pre-loaded messages."""
    chain = _Chain(bootstrap, partitions)
    await chain.create()
    try:
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
        await producer.start()
        value = orjson.dumps(PAYLOAD)
        futures = [await producer.send(chain.topics[0], value, key=str(i).encode())
                   for i in range(records)]
        await asyncio.gather(*futures)
        await producer.stop()
        say(f"pre-loaded {records} messages of {len(value)} bytes on {chain.topics[0]} "
            f"({partitions} partitions)")
        sink = await chain.sink()
        started = time.monotonic()
        chain.start_relays()
        seen, first = 0, None
        try:
            while seen < records and time.monotonic() - started < 600:
                for messages in (await sink.getmany(timeout_ms=500)).values():
                    seen += len(messages)
                    first = first or time.monotonic()
        finally:
            await sink.stop()
        elapsed = time.monotonic() - started
    finally:
        await chain.close()
    return {"messages": records, "arrived": seen, "seconds": round(elapsed, 2),
            "per_second": round(seen / elapsed, 1),
            "first_arrival_s": round((first or started) - started, 2)}


async def latency_at_rate(bootstrap: str, rate: float, seconds: float, partitions: int = 6,
                          say: Callable[[str], Any] = print) -> dict[str, Any]:
    """Produce ``rate`` messages/s for ``seconds`` through running relays; per-message latency
    from the produce ack to the arrival after the last hop."""
    chain = _Chain(bootstrap, partitions)
    await chain.create()
    acked: dict[bytes, float] = {}
    arrived: dict[bytes, float] = {}
    try:
        sink = await chain.sink()
        chain.start_relays()
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
        await producer.start()
        # let the relays join their groups before the clock starts
        await asyncio.sleep(3)
        count = int(rate * seconds)
        value = orjson.dumps(PAYLOAD)

        async def send(key: bytes) -> None:
            future = await producer.send(chain.topics[0], value, key=key)
            await future
            acked[key] = time.monotonic()

        async def drain() -> None:
            while len(arrived) < count:
                for messages in (await sink.getmany(timeout_ms=200)).values():
                    now = time.monotonic()
                    for m in messages:
                        if m.key is not None:
                            arrived.setdefault(m.key, now)

        draining = asyncio.create_task(drain())
        sends = await paced(count, rate, lambda i: send(f"m{i}".encode()))
        await asyncio.gather(*sends)
        try:
            await asyncio.wait_for(draining, timeout=120)
        except TimeoutError:
            pass
        await producer.stop()
        await sink.stop()
    finally:
        await chain.close()
    latencies = [arrived[k] - acked[k] for k in arrived if k in acked]
    say(f"relay chain at {rate:.0f}/s for {seconds:.0f} s: {len(latencies)}/{count} through")
    return {"offered_per_second": rate, "messages": count, "arrived": len(latencies),
            **latency_summary(latencies)}


async def paced(count: int, rate: float, start: Callable[[int], Awaitable[None]],
                tick_s: float = 0.1) -> list[asyncio.Task[None]]:
    """Start ``count`` coroutines at ``rate`` per second (a tick's worth every ``tick_s``), not
    waiting for any of them: the offered rate stays fixed however slow the receiver is."""
    tasks: list[asyncio.Task[None]] = []
    began = time.monotonic()
    while len(tasks) < count:
        due = min(count, int((time.monotonic() - began) * rate) + 1)
        while len(tasks) < due:
            tasks.append(asyncio.create_task(start(len(tasks))))  # type: ignore[arg-type]
        await asyncio.sleep(tick_s)
    return tasks


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (0–100) by the nearest-rank method; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))  # ceil(n * q / 100), at least 1
    return ordered[int(min(rank, len(ordered))) - 1]


def latency_summary(latencies: list[float]) -> dict[str, float | None]:
    """p50 / p99 / max in seconds (rounded to the millisecond)."""
    def r(v: float | None) -> float | None:
        return None if v is None else round(v, 3)
    return {"p50_s": r(percentile(latencies, 50)), "p99_s": r(percentile(latencies, 99)),
            "max_s": r(max(latencies) if latencies else None)}


async def main(args: argparse.Namespace) -> None:
    result = await throughput(args.bootstrap, args.records, args.partitions)
    print(f"{HOPS} relay hops in one process: {result['arrived']} messages through in "
          f"{result['seconds']:.1f} s = {result['per_second']:,.0f} messages/s end to end "
          f"(first arrival after {result['first_arrival_s']:.2f} s)")
    if args.rate:
        lat = await latency_at_rate(args.bootstrap, args.rate, args.seconds, args.partitions)
        print(f"ack -> after hop {HOPS}: p50 {lat['p50_s']} s, p99 {lat['p99_s']} s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--bootstrap", default="127.0.0.1:9092")
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--partitions", type=int, default=6)
    parser.add_argument("--rate", type=float, default=0.0,
                        help="also measure latency at this offered rate (messages/s)")
    parser.add_argument("--seconds", type=float, default=10.0)
    logging.basicConfig(level=logging.ERROR)  # metadata warnings right after topic creation
    asyncio.run(main(parser.parse_args()))
