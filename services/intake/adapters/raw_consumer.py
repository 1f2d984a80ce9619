"""Consumes the raw feed topics ``paicha.feeds.<feed>.raw`` and hands each partition's batch
to the intake handler; offsets are committed only after the outputs were acknowledged.

Malformed messages never stop the loop (they become InputRejected events). When Kafka or the
store is unavailable the same batch is retried with backoff and nothing is committed, so a
crash at any point means redelivery, which the dedupe store turns into duplicates.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError

from contracts.events import IntakeChannel
from paicha_runtime.consume import Batches, ConsumeLoop
from paicha_runtime.kafka import KafkaSettings
from services.intake.adapters.raw_messages import MAX_MESSAGE_BYTES, parse_raw
from services.intake.handlers import Intake
from services.intake.metrics import IntakeMetrics
from services.intake.ports import Unavailable

log = logging.getLogger(__name__)


class RawFeedConsumer(ConsumeLoop):
    name = "raw-topic consumer"

    def __init__(self, settings: KafkaSettings, topics: Mapping[str, str], intake: Intake,
                 metrics: IntakeMetrics, *, group_id: str,
                 prepare: Callable[[], Awaitable[None]] | None = None,
                 max_bytes: int = MAX_MESSAGE_BYTES, max_message_bytes: int = 16 * 1024 * 1024,
                 max_records: int = 5000) -> None:
        super().__init__(settings, list(topics), group_id=group_id, prepare=prepare,
                         max_records=1000, max_partition_fetch_bytes=4 * 1024 * 1024)
        self._feeds = dict(topics)  # topic name -> feed
        self._intake, self._metrics = intake, metrics
        self._max_bytes, self._max_message_bytes = max_bytes, max_message_bytes
        self._max_records_per_message = max_records

    async def polled(self, consumer: AIOKafkaConsumer, batches: Batches) -> None:
        await self._metrics.consumer_lag.update(consumer)

    async def handle(self, consumer: AIOKafkaConsumer, batches: Batches) -> bool:
        for tp, messages in batches.items():
            if not await self._handle(tp, messages):
                return False
            try:
                await consumer.commit({tp: messages[-1].offset + 1})
            except CommitFailedError as exc:  # partition moved in a rebalance: redelivered
                log.warning("commit of %s failed (%s); the batch will be redelivered", tp, exc)
        return True

    async def _handle(self, tp: TopicPartition, messages: list[ConsumerRecord]) -> bool:
        feed = self._feeds[tp.topic]
        self._metrics.raw_messages.labels(feed).inc(len(messages))
        candidates = [c for m in messages for c in parse_raw(
            m.value, max_bytes=self._max_bytes, max_message_bytes=self._max_message_bytes,
            max_records=self._max_records_per_message)]
        async for _ in self.retrying():
            try:
                await self._intake.submit(feed, IntakeChannel.KAFKA, candidates)
                return True
            except Unavailable as exc:
                log.warning("raw %s batch at offset %d not stored (%s); retrying", tp,
                            messages[0].offset, exc)
            except Exception:  # a bug must not skip messages: retry until fixed and redeployed
                log.exception("raw %s batch at offset %d failed; retrying", tp, messages[0].offset)
        return False
