"""Consumer lag: end offset minus position per topic, from an aiokafka-shaped consumer (a fake
here: the real ones are measured in tests/integration/test_prometheus_queries.py)."""

from __future__ import annotations

from aiokafka import TopicPartition
from aiokafka.errors import IllegalStateError
from prometheus_client import CollectorRegistry

from paicha_runtime.lag import ConsumerLag, lag_by_topic
from services.triage.lag import positions

A0, A1, B0 = TopicPartition("a", 0), TopicPartition("a", 1), TopicPartition("b", 0)


class FakeConsumer:
    def __init__(self, highwater: dict, positions: dict, ends: dict | None = None,
                 fail: bool = False) -> None:
        self._high, self._pos, self._ends, self._fail = highwater, positions, ends or {}, fail
        self.asked: list = []

    def assignment(self) -> set[TopicPartition]:
        return set(self._pos)

    def highwater(self, tp: TopicPartition) -> int | None:
        return self._high.get(tp)

    async def position(self, tp: TopicPartition) -> int:
        if self._fail:
            raise IllegalStateError("partition not assigned")
        return self._pos[tp]

    async def end_offsets(self, tps: list[TopicPartition]) -> dict[TopicPartition, int]:
        self.asked += tps
        return {tp: self._ends[tp] for tp in tps}


def _value(registry: CollectorRegistry, topic: str) -> float | None:
    return registry.get_sample_value("paicha_intake_consumer_lag", {"topic": topic})


def test_lag_sums_partitions_per_topic_and_never_goes_negative():
    ends = {A0: 10, A1: 5, B0: 3}
    assert lag_by_topic(ends, {A0: 4, A1: 5, B0: 7}) == {"a": 6, "b": 0}
    assert lag_by_topic(ends, {A0: 4}) == {"a": 6}  # unknown positions are left out


async def test_update_sets_the_gauge_and_asks_the_broker_only_for_unfetched_partitions():
    registry = CollectorRegistry()
    lag = ConsumerLag("intake", registry)
    consumer = FakeConsumer({A0: 10, A1: 7}, {A0: 4, A1: 7, B0: 2}, ends={B0: 2})
    assert await lag.update(consumer) == {"a": 6, "b": 0}
    assert consumer.asked == [B0]
    assert _value(registry, "a") == 6 and _value(registry, "b") == 0


async def test_update_measures_at_most_every_interval_and_skips_a_round_on_kafka_errors():
    registry = CollectorRegistry()
    lag = ConsumerLag("intake", registry, every_s=60)
    assert await lag.update(FakeConsumer({A0: 10}, {A0: 1})) == {"a": 9}
    assert await lag.update(FakeConsumer({A0: 10}, {A0: 10})) is None  # too soon
    assert await lag.update(FakeConsumer({A0: 10}, {A0: 3}, fail=True), force=True) is None
    assert _value(registry, "a") == 9


def test_faust_positions_are_past_the_last_read_offset_or_the_committed_one():
    read = {A0: 9}
    committed = {A0: 5, A1: 3}
    assert positions(read, committed) == {A0: 10, A1: 3}
