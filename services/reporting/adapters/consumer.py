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
from aiokafka.errors import CommitFailedError, KafkaError

from contracts.envelope import EnvelopeError
from paicha_runtime.kafka import KafkaSettings
from services.reporting.adapters.decoding import message_fact
from services.reporting.metrics import ReportingMetrics

log = logging.getLogger(__name__)
Batch = list[tuple[str, str, dict[str, Any]]]  # (topic, event id, fact)
Ingest = Callable[[Batch], Awaitable[None]]


class EventConsumer:
    def __init__(self, settings: KafkaSettings, topics: Sequence[str], ingest: Ingest,
                 metrics: ReportingMetrics, *, group_id: str,
                 prepare: Callable[[], Awaitable[None]] | None = None) -> None:
        self._settings, self._topics, self._ingest = settings, list(topics), ingest
        self._metrics, self._group_id, self._prepare = metrics, group_id, prepare
        self._stopping = asyncio.Event()
        self.caught_up = asyncio.Event()
        self.positions: dict[TopicPartition, int] = {}
        for topic in self._topics:  # zero series: the first malformed message is an increase
            for error in ("MissingHeaderError", "UnknownEventTypeError", "MalformedJsonError",
                          "SchemaMismatchError", "EnvelopeError"):
                metrics.malformed.labels(topic, error)

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        backoff = 1.0
        while not self._stopping.is_set():
            consumer = AIOKafkaConsumer(
                *self._topics, **self._settings.client_kwargs(), group_id=self._group_id,
                enable_auto_commit=False, auto_offset_reset="earliest",
                max_partition_fetch_bytes=4 * 1024 * 1024)
            try:
                if self._prepare is not None:
                    await self._prepare()
                await consumer.start()
                backoff = 1.0
                await self._consume(consumer)
            except (KafkaError, OSError) as exc:
                log.warning("reporting consumer: %s; restarting in %.0f s", exc, backoff)
                await self._sleep(backoff)
                backoff = min(backoff * 2, 30.0)
            finally:
                await consumer.stop()

    async def _sleep(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._stopping.wait(), seconds)
        except TimeoutError:
            pass

    async def _consume(self, consumer: AIOKafkaConsumer) -> None:
        while not self._stopping.is_set():
            batches = await consumer.getmany(timeout_ms=500, max_records=5000)
            if batches:
                if not await self._handle(batches):
                    return
                offsets = {tp: msgs[-1].offset + 1 for tp, msgs in batches.items()}
                try:
                    await consumer.commit(offsets)
                except CommitFailedError as exc:  # rebalance: redelivered, facts are idempotent
                    log.warning("commit failed (%s); the batch will be redelivered", exc)
                self.positions.update(offsets)
            await self._measure_lag(consumer, idle=not batches)

    async def _handle(self, batches: dict[TopicPartition, list[Any]]) -> bool:
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
        backoff = 0.5
        while not self._stopping.is_set():
            try:
                await self._ingest(batch)
                return True
            except Exception:  # store away or a bug: never skip, retry until it works
                log.exception("could not store %d facts; retrying", len(batch))
            await self._sleep(backoff)
            backoff = min(backoff * 2, 30.0)
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
