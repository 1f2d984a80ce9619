"""The rebalance rewind (services/triage/adapters/rewind.py): after faust's seek to committed,
an input partition with no committed offset (or 0) goes back to offset 0, so a message fetched
and dropped during the rebalance is read again; committed partitions and changelogs are left."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from types import SimpleNamespace
from typing import Any

from aiokafka import TopicPartition
from faust.types import TP

from services.triage.adapters.rewind import (
    HoleWatch,
    RewindingConsumer,
    TriageApp,
    partitions_to_rewind,
)

RECORDS, AREAS, CHANGELOG = "ns.records", "ns.risk-areas", "app-cases_by_person-changelog"


def acking(topic: str) -> bool:
    return topic in {RECORDS, AREAS}


def test_only_uncommitted_input_partitions_are_rewound() -> None:
    committed = {TopicPartition(RECORDS, 0): 18, TopicPartition(RECORDS, 1): None,
                 TopicPartition(RECORDS, 2): 0, TopicPartition(AREAS, 0): None,
                 TopicPartition(CHANGELOG, 0): None}
    rewound = partitions_to_rewind(committed, acking=acking, auto_offset_reset="earliest")
    assert set(rewound) == {TopicPartition(AREAS, 0), TopicPartition(RECORDS, 1),
                            TopicPartition(RECORDS, 2)}


def test_nothing_is_rewound_when_the_reset_policy_is_latest() -> None:
    committed = {TopicPartition(AREAS, 0): None}
    assert partitions_to_rewind(committed, acking=acking, auto_offset_reset="latest") == []


class FakeThread:
    """Stands for faust's consumer thread: aiokafka's `seek_to_committed` seeks only `> 0`."""

    def __init__(self, committed: dict[TopicPartition, int | None]) -> None:
        self.committed = committed
        self.position = {tp: 1 for tp in committed}  # where the fetcher got to

    async def seek_to_committed(self) -> dict[TopicPartition, int | None]:
        for tp, offset in self.committed.items():
            if offset and offset > 0:
                self.position[tp] = offset
        return self.committed

    def seek(self, tp: Any, offset: int) -> None:
        self.position[TopicPartition(tp.topic, tp.partition)] = offset


def test_the_consumer_seeks_a_never_committed_partition_back_to_its_first_message() -> None:
    # The failing run: risk-areas partition 0 never committed, its offset 0 (the designation)
    # fetched and dropped during recovery, the fetcher left at offset 1.
    thread = FakeThread({TopicPartition(AREAS, 0): None, TopicPartition(RECORDS, 3): 9,
                         TopicPartition(CHANGELOG, 0): None})
    consumer: Any = RewindingConsumer.__new__(RewindingConsumer)
    consumer._thread = thread
    consumer._read_offset = defaultdict(lambda: None)
    consumer.log = SimpleNamespace(dev=lambda *args, **kwargs: None)
    consumer.app = SimpleNamespace(topics=SimpleNamespace(acks_enabled_for=acking),
                                   conf=SimpleNamespace(consumer_auto_offset_reset="earliest"))
    committed = asyncio.run(consumer.seek_to_committed())
    assert committed == thread.committed  # faust's perform_seek still sees the real commits
    assert thread.position == {TopicPartition(AREAS, 0): 0, TopicPartition(RECORDS, 3): 9,
                               TopicPartition(CHANGELOG, 0): 1}
    assert consumer._read_offset[TP(AREAS, 0)] is None


def test_the_triage_app_consumes_with_the_rewinding_consumer() -> None:
    app = TriageApp("rewind-unit", broker="kafka://127.0.0.1:9", autodiscover=False)
    assert app.transport.Consumer is RewindingConsumer


class Message(SimpleNamespace):
    """The fields of faust's ConsumerMessage that the ack bookkeeping reads."""

    def __init__(self, offset: int, *, tracked: bool, generation_id: int = 7) -> None:
        super().__init__(topic=RECORDS, partition=0, tp=TP(RECORDS, 0), offset=offset,
                         tracked=tracked, generation_id=generation_id, acked=False, refcount=0)

    def __hash__(self) -> int:
        return id(self)


def acking_consumer(*, flow_active: bool, generation_id: int = 7) -> Any:
    """A RewindingConsumer with faust's real ack bookkeeping and commit-offset arithmetic,
    partition RECORDS/0 committed at 10."""
    consumer: Any = RewindingConsumer.__new__(RewindingConsumer)
    consumer.app = SimpleNamespace(
        topics=SimpleNamespace(acks_enabled_for=acking),
        flow_control=SimpleNamespace(is_active=lambda: flow_active),
        consumer_generation_id=generation_id)
    consumer._committed_offset = defaultdict(lambda: None, {TP(RECORDS, 0): 10})
    consumer._acked = defaultdict(list)
    consumer._acked_index = defaultdict(set)
    consumer._gap = defaultdict(lambda: None)
    consumer._unacked_messages = set()
    consumer._n_acked = 0
    consumer._waiting_for_ack = None
    return consumer


def test_a_batch_acked_after_a_skip_commits_only_up_to_the_skipped_message() -> None:
    # The SIGTERM loss: offsets 10-12 are a batch in hand (tracked) when the stop turns flow
    # control off; the stream then takes 13 from its queue, skips it and acks it; the batch is
    # handled and acked. Committing 14 would lose 13; the next owner must resume at 13.
    consumer = acking_consumer(flow_active=False)
    batch = [Message(offset, tracked=True) for offset in (10, 11, 12)]
    assert consumer.ack(Message(13, tracked=False)) is False
    assert all(consumer.ack(message) for message in batch)
    assert consumer._new_offset(TP(RECORDS, 0)) == 13


def test_a_stale_generation_skip_is_not_acknowledged_either() -> None:
    consumer = acking_consumer(flow_active=True, generation_id=8)
    assert consumer.ack(Message(10, tracked=False, generation_id=7)) is False
    assert consumer._new_offset(TP(RECORDS, 0)) is None


def test_handled_messages_and_undecodable_ones_are_acknowledged_as_before() -> None:
    # An undecodable message is acked without being tracked while flow is on: it must still be
    # committed past, or one bad message would hold its partition forever.
    consumer = acking_consumer(flow_active=True)
    assert consumer.ack(Message(10, tracked=True)) is True
    assert consumer.ack(Message(11, tracked=False)) is True
    assert consumer._new_offset(TP(RECORDS, 0)) == 12


def test_a_hole_at_the_committed_offset_is_never_committed_past() -> None:
    # The survivor's case: committed 11, then 15 and 16 handled while 11-14 never reached the
    # stream (the fetcher jumped). faust would fill the jump as a gap and commit 17.
    consumer = acking_consumer(flow_active=True)
    consumer._committed_offset[TP(RECORDS, 0)] = 11
    assert all(consumer.ack(Message(offset, tracked=True)) for offset in (15, 16))
    asyncio.run(consumer._add_gap(TP(RECORDS, 0), 11, 15))
    assert consumer._new_offset(TP(RECORDS, 0)) is None
    # Read again from 11, the whole run commits.
    assert all(consumer.ack(Message(offset, tracked=True)) for offset in (11, 12, 13, 14))
    assert consumer._new_offset(TP(RECORDS, 0)) == 17


def test_a_partition_stuck_behind_a_hole_is_read_again_after_three_looks() -> None:
    watch = HoleWatch(patience=3)
    tp = TP(RECORDS, 2)
    stuck = {"committed": 11, "position": 18, "handled": False, "in_flight": False}
    assert watch.observe(tp, **stuck) is None
    assert watch.observe(tp, **stuck) is None
    assert watch.observe(tp, **stuck) == 11
    assert watch.observe(tp, **stuck) is None  # counting starts again after a seek


def test_a_partition_that_moves_or_works_is_not_stuck() -> None:
    watch = HoleWatch(patience=2)
    tp = TP(RECORDS, 2)
    assert watch.observe(tp, committed=11, position=18, handled=False, in_flight=False) is None
    # progress: the commit moved
    assert watch.observe(tp, committed=14, position=18, handled=False, in_flight=False) is None
    # a message of it is being handled, or the committed one is acked (commit comes next)
    assert watch.observe(tp, committed=14, position=18, handled=False, in_flight=True) is None
    assert watch.observe(tp, committed=14, position=18, handled=True, in_flight=False) is None
    # caught up, or never committed (the rewind's case)
    assert watch.observe(tp, committed=18, position=18, handled=False, in_flight=False) is None
    assert watch.observe(tp, committed=None, position=3, handled=False, in_flight=False) is None
    assert watch.observe(tp, committed=14, position=18, handled=False, in_flight=False) is None
    assert watch.observe(tp, committed=14, position=18, handled=False, in_flight=False) == 14
