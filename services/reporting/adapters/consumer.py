"""Consumes every public topic reporting counts (group ``paicha-reporting``), turns messages
into facts, hands each batch to the handler (store, then view) and commits the offsets only
after that. Malformed messages are logged and counted, never fatal. Tracks consumer lag per
topic and whether the view has caught up with the topics' ends (close-out waits for that)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import CommitFailedError

from contracts.envelope import EnvelopeError
from paicha_runtime.consume import Batches, ConsumeLoop
from paicha_runtime.kafka import KafkaSettings
from services.reporting.adapters.decoding import message_fact
from services.reporting.metrics import ReportingMetrics

log = logging.getLogger(__name__)
Batch = list[tuple[str, str, dict[str, Any]]]  # (topic, event id, fact)
Ingest = Callable[[Batch], Awaitable[None]]


class EventConsumer(ConsumeLoop):
    name = "reporting consumer"

    def __init__(self, settings: KafkaSettings, topics: Sequence[str], ingest: Ingest,
                 metrics: ReportingMetrics, *, group_id: str,
                 prepare: Callable[[], Awaitable[None]] | None = None) -> None:
        super().__init__(settings, topics, group_id=group_id, prepare=prepare, max_records=5000,
                         max_partition_fetch_bytes=4 * 1024 * 1024)
        self._ingest, self._metrics = ingest, metrics
        self.caught_up = asyncio.Event()
        self.positions: dict[TopicPartition, int] = {}
        for topic in self._topics:  # zero series: the first malformed message is an increase
            for error in ("MissingHeaderError", "UnknownEventTypeError", "MalformedJsonError",
                          "SchemaMismatchError", "EnvelopeError"):
                metrics.malformed.labels(topic, error)

    async def polled(self, consumer: AIOKafkaConsumer, batches: Batches) -> None:
        if not batches:
            await self._measure_lag(consumer, idle=True)

    async def handle(self, consumer: AIOKafkaConsumer, batches: Batches) -> bool:
        if not await self._handle(batches):
            return False
        offsets = {tp: msgs[-1].offset + 1 for tp, msgs in batches.items()}
        try:
            await consumer.commit(offsets)
        except CommitFailedError as exc:  # rebalance: redelivered, facts are idempotent
            log.warning("commit failed (%s); the batch will be redelivered", exc)
        self.positions.update(offsets)
        await self._measure_lag(consumer, idle=False)
        return True

    async def _handle(self, batches: Batches) -> bool:
        batch: Batch = []
        for tp, messages in batches.items():
            for m in messages:
                try:
                    event_id, ce_type, fact = message_fact(m.headers, m.value, m.key)
                except EnvelopeError as exc:
                    self._metrics.malformed.labels(tp.topic, type(exc).__name__).inc()
                    log.warning("skipping malformed message %s@%d: %s", tp, m.offset, exc)
                    continue
                self._metrics.consumed.labels(tp.topic, ce_type).inc()
                if fact is not None:
                    batch.append((tp.topic, event_id, fact))
        async for _ in self.retrying():
            try:
                await self._ingest(batch)
                return True
            except Exception:  # store away or a bug: never skip, retry until it works
                log.exception("could not store %d facts; retrying", len(batch))
        return False

    async def _measure_lag(self, consumer: AIOKafkaConsumer, *, idle: bool) -> None:
        assigned = consumer.assignment()
        if not assigned:
            return
        lag: dict[str, int] = {}
        behind = False
        highs = {tp: consumer.highwater(tp) for tp in assigned}
        unknown = [tp for tp, high in highs.items() if high is None]
        if unknown and idle:  # nothing fetched from them yet: ask the broker, in one request
            highs.update(await consumer.end_offsets(unknown))
        for tp, high in highs.items():
            if high is None:
                behind = True
                continue
            position = await consumer.position(tp)
            self.positions[tp] = max(position, self.positions.get(tp, 0))
            lag[tp.topic] = lag.get(tp.topic, 0) + max(0, high - position)
            behind = behind or position < high
        for topic, value in lag.items():
            self._metrics.lag.labels(topic).set(value)
        if idle and not behind:
            self.caught_up.set()
