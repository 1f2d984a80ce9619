"""What lets two tasking processes share one database and one consumer group: a task belongs to
its case's partition exactly as Kafka partitions the case, each process keeps only the timers of
its partitions (handed over on a rebalance), a timer read from the store never delays an
earlier one in the heap, a contact document is merged again on top of another process's write,
and a revocation waits for the batch in hand."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from aiokafka import TopicPartition
from aiokafka.partitioner import DefaultPartitioner
from prometheus_client import CollectorRegistry

from paicha_runtime.kafka import KafkaSettings
from services.tasking.adapters.consumer import InputConsumer
from services.tasking.clock import ManualClock
from services.tasking.handlers import _lacks, _with_record
from services.tasking.metrics import TaskingMetrics
from services.tasking.ownership import Ownership, partition_of
from services.tasking.scheduler import Scheduler
from tests.integration.tasking.helpers import record
from tests.unit.tasking.builders import task

T0 = datetime(2022, 6, 1, tzinfo=UTC)


def test_a_case_belongs_to_the_partition_kafka_puts_it_on() -> None:
    for n in (1, 3, 6, 12):
        for seq in range(200):
            case_id = f"case-{seq}"
            kafka = DefaultPartitioner()(case_id.encode(), list(range(n)), list(range(n)))
            assert partition_of(case_id, n) == kafka


def test_ownership_follows_the_assignment_and_nothing_is_owned_by_two() -> None:
    everything = Ownership(everything=True)
    assert everything.owns("case-1")
    a, b = Ownership(everything=False), Ownership(everything=False)
    assert not a.owns("case-1")  # before the first assignment: nothing
    a.assign({0, 1, 2}, 6)
    b.assign({3, 4, 5}, 6)
    cases = [f"case-{seq}" for seq in range(300)]
    assert all(a.owns(c) != b.owns(c) for c in cases)
    a.revoke({0, 1, 2})
    b.assign(set(range(6)), 6)  # the survivor takes every partition
    assert not any(a.owns(c) for c in cases) and all(b.owns(c) for c in cases)


def test_retain_forgets_handed_over_timers_and_ensure_keeps_the_earlier_time() -> None:
    scheduler = Scheduler(ManualClock(T0), TaskingMetrics(CollectorRegistry()))
    scheduler.schedule("mine", T0 + timedelta(hours=1))
    scheduler.schedule("theirs", T0 + timedelta(hours=2))
    scheduler.retain(lambda task_id: task_id == "mine")
    assert scheduler.pending() == {"mine": T0 + timedelta(hours=1)}
    scheduler.ensure("mine", T0 + timedelta(hours=3))  # a stale read does not postpone it
    assert scheduler.pending() == {"mine": T0 + timedelta(hours=1)}
    scheduler.ensure("mine", T0 + timedelta(minutes=30))  # another process moved it earlier
    scheduler.ensure("new", T0 + timedelta(hours=4))
    assert scheduler.pending() == {"mine": T0 + timedelta(minutes=30),
                                   "new": T0 + timedelta(hours=4)}


async def test_a_handed_over_timer_does_not_fire_here() -> None:
    clock = ManualClock(T0)
    scheduler = Scheduler(clock, TaskingMetrics(CollectorRegistry()))
    fired: list[str] = []

    async def fire(task_id: str) -> None:
        fired.append(task_id)

    scheduler.fire = fire
    scheduler.schedule("mine", T0 + timedelta(minutes=1))
    scheduler.schedule("theirs", T0 + timedelta(minutes=1))
    scheduler.retain(lambda task_id: task_id == "mine")
    runner = asyncio.create_task(scheduler.run())
    clock.advance(timedelta(minutes=2))
    for _ in range(20):
        await asyncio.sleep(0)
    scheduler.stop()
    await runner
    assert fired == ["mine"]


def test_a_record_is_merged_onto_the_contact_another_process_wrote() -> None:
    first, second = record(1, now=T0), record(2, now=T0 + timedelta(minutes=1))
    second = second.model_copy(update={"person_key": first.person_key})
    new = _with_record(None, first)
    assert new is not None and "version" not in new  # inserted, not replaced
    stored = {**new, "version": 1}
    merged = _with_record(stored, second)
    assert merged is not None and merged["version"] == 1  # the write is guarded by it
    assert [r["record_id"] for r in merged["records"]] == ["rec-1", "rec-2"]
    assert stored["records"] == new["records"]  # the cached copy stays as stored
    assert _with_record({**merged, "version": 2}, first) is None  # already in it
    legacy = {k: v for k, v in stored.items() if k != "version"}
    again = _with_record(legacy, second)
    assert again is not None and again["version"] is None  # stored before versions


def test_a_task_lacks_a_contact_until_every_record_of_it_is_there() -> None:
    t = task()
    contact: dict[str, Any] = {"_id": t.person_key, "person": {"name": "测试一"},
                               "records": [{"record_id": s.record_id} for s in t.sources]}
    assert _lacks(t, None) and _lacks(t, {**contact, "records": []})
    assert not _lacks(t, contact)


async def test_a_revocation_waits_for_the_batch_in_hand() -> None:
    revoked: list[set[int]] = []

    async def handle(_: Any) -> None:
        return None

    consumer = InputConsumer(KafkaSettings(), [], handle, TaskingMetrics(CollectorRegistry()),
                             group_id="g", owner_topic="cases", on_revoked=revoked.append)
    async with consumer._handling:  # a batch is being handled
        waiting = asyncio.create_task(consumer.revoked({TopicPartition("cases", 2),
                                                        TopicPartition("records", 4)}))
        await asyncio.sleep(0.05)
        assert not waiting.done() and revoked == []
    await waiting
    assert revoked == [{2}]
