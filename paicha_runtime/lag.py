"""Consumer lag as a Prometheus gauge: ``paicha_<service>_consumer_lag{topic}``, the messages on
a topic's partitions assigned to this process that it has not consumed yet (end offset minus
position, summed over the topic's assigned partitions). One name scheme for every service, so
the dashboards and the ``PaichaConsumerLagging`` alert read them all the same way.

aiokafka consumers call ``await lag.update(consumer)`` from their poll loop (it measures at most
every ``every_s`` seconds); faust (triage) computes the offsets its own way and calls ``set``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Protocol

from aiokafka import TopicPartition
from aiokafka.errors import KafkaError
from prometheus_client import CollectorRegistry, Gauge

log = logging.getLogger(__name__)


class LagSource(Protocol):
    """The part of ``aiokafka.AIOKafkaConsumer`` lag needs."""

    def assignment(self) -> set[TopicPartition]: ...

    def highwater(self, partition: TopicPartition) -> int | None: ...

    async def position(self, partition: TopicPartition) -> int: ...

    async def end_offsets(self, partitions: list[TopicPartition]) -> dict[TopicPartition, int]: ...


def lag_by_topic(ends: Mapping[TopicPartition, int],
                 positions: Mapping[TopicPartition, int]) -> dict[str, int]:
    """Sum of ``end - position`` (never negative) per topic, over partitions with both known."""
    lag: dict[str, int] = {}
    for tp, end in ends.items():
        position = positions.get(tp)
        if position is None or end is None or end < 0:
            continue
        lag[tp.topic] = lag.get(tp.topic, 0) + max(0, end - position)
    return lag


class ConsumerLag:
    """``paicha_<service>_consumer_lag{topic}`` on ``registry``."""

    def __init__(self, service: str, registry: CollectorRegistry, *, every_s: float = 5.0) -> None:
        self.gauge = Gauge(f"paicha_{service}_consumer_lag",
                           "Messages on the topic's assigned partitions not yet consumed",
                           ["topic"], registry=registry)
        self._every_s = every_s
        self._last = float("-inf")

    def set(self, lag: Mapping[str, int]) -> None:
        for topic, value in lag.items():
            self.gauge.labels(topic).set(value)

    async def update(self, consumer: LagSource, *, force: bool = False) -> dict[str, int] | None:
        """Measure now if ``every_s`` has passed (or ``force``); returns the lag measured.

        The end offset is the highwater mark of the last fetch; a partition not fetched yet is
        asked of the broker. Errors (a rebalance under way, the broker away) skip this round.
        """
        now = time.monotonic()
        if not force and now - self._last < self._every_s:
            return None
        self._last = now
        try:
            assigned = consumer.assignment()
            ends: dict[TopicPartition, int] = {}
            unknown: list[TopicPartition] = []
            for tp in assigned:
                high = consumer.highwater(tp)
                if high is None:
                    unknown.append(tp)
                else:
                    ends[tp] = high
            if unknown:
                ends.update(await consumer.end_offsets(unknown))
            positions = {tp: await consumer.position(tp) for tp in ends}
        except (KafkaError, AssertionError, OSError) as exc:  # aiokafka asserts on unassigned
            log.debug("consumer lag not measured this round: %s", exc)
            return None
        lag = lag_by_topic(ends, positions)
        for tp in assigned:  # an assigned topic with nothing to read shows 0, not no series
            lag.setdefault(tp.topic, 0)
        self.set(lag)
        return lag
