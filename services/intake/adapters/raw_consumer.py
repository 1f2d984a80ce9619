"""Consumes the raw feed topics ``paicha.feeds.<feed>.raw`` and hands each partition's batch
to the intake handler; offsets are committed only after the outputs were acknowledged.

Malformed messages never stop the loop (they become InputRejected events). When Kafka or the
store is unavailable the same batch is retried with backoff and nothing is committed, so a
crash at any point means redelivery, which the dedupe store turns into duplicates.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError, KafkaError

from contracts.events import IntakeChannel
from paicha_runtime.kafka import KafkaSettings
from services.intake.adapters.raw_messages import MAX_MESSAGE_BYTES, parse_raw
from services.intake.handlers import Intake
from services.intake.metrics import IntakeMetrics
from services.intake.ports import Unavailable

log = logging.getLogger(__name__)


class RawFeedConsumer:
    def __init__(self, settings: KafkaSettings, topics: Mapping[str, str], intake: Intake,
                 metrics: IntakeMetrics, *, group_id: str,
                 prepare: Callable[[], Awaitable[None]] | None = None,
                 max_bytes: int = MAX_MESSAGE_BYTES, max_message_bytes: int = 16 * 1024 * 1024,
                 max_records: int = 5000) -> None:
        self._settings, self._topics = settings, dict(topics)  # topic name -> feed
        self._intake, self._metrics = intake, metrics
        self._group_id, self._max_bytes = group_id, max_bytes
        self._max_message_bytes, self._max_records = max_message_bytes, max_records
        self._prepare = prepare  # e.g. create the topics first: subscribing to a missing topic
        # would only see it after the next metadata refresh (minutes)
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        """Start (retrying while Kafka is away), consume until ``stop()``, then leave the group."""
        backoff = 1.0
        while not self._stopping.is_set():
            consumer = AIOKafkaConsumer(
                *self._topics, **self._settings.client_kwargs(), group_id=self._group_id,
                enable_auto_commit=False, auto_offset_reset="earliest",
                max_partition_fetch_bytes=4 * 1024 * 1024,
            )
            try:
                if self._prepare is not None:
                    await self._prepare()
                await consumer.start()
                backoff = 1.0
                await self._consume(consumer)
            except (KafkaError, OSError) as exc:
                log.warning("raw-topic consumer: %s; restarting in %.0f s", exc, backoff)
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
            batches = await consumer.getmany(timeout_ms=500, max_records=1000)
            await self._metrics.consumer_lag.update(consumer)
            for tp, messages in batches.items():
                if not await self._handle(tp, messages):
                    return  # stopping mid-retry: leave uncommitted, it will be redelivered
                try:
                    await consumer.commit({tp: messages[-1].offset + 1})
                except CommitFailedError as exc:  # partition moved in a rebalance: redelivered
                    log.warning("commit of %s failed (%s); the batch will be redelivered", tp, exc)

    async def _handle(self, tp: TopicPartition, messages: list[ConsumerRecord]) -> bool:
        feed = self._topics[tp.topic]
        self._metrics.raw_messages.labels(feed).inc(len(messages))
        candidates = [c for m in messages for c in parse_raw(
            m.value, max_bytes=self._max_bytes, max_message_bytes=self._max_message_bytes,
            max_records=self._max_records)]
        backoff = 0.5
        while not self._stopping.is_set():
            try:
                await self._intake.submit(feed, IntakeChannel.KAFKA, candidates)
                return True
            except Unavailable as exc:
                log.warning("raw %s batch at offset %d not stored (%s); retrying", tp,
                            messages[0].offset, exc)
            except Exception:  # a bug must not skip messages: retry until fixed and redeployed
                log.exception("raw %s batch at offset %d failed; retrying", tp, messages[0].offset)
            await self._sleep(backoff)
            backoff = min(backoff * 2, 30.0)
        return False
