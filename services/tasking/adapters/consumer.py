"""Consumes triage's cases and intake's records (group ``paicha-tasking``) and hands each
message to the handlers; a partition's offsets are committed only after its messages are in the
store (with their outbox). A bad message is logged and counted (dead letter), never fatal; when
the store is away the rest of the batch is retried with backoff and nothing is committed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiokafka import AIOKafkaConsumer, ConsumerRecord
from aiokafka.errors import CommitFailedError, KafkaError
from pymongo.errors import PyMongoError

from contracts.envelope import Envelope, EnvelopeError, decode_envelope
from paicha_runtime.kafka import KafkaSettings
from services.tasking.metrics import TaskingMetrics

log = logging.getLogger(__name__)
Handler = Callable[[Envelope], Awaitable[None]]


class InputConsumer:
    def __init__(self, settings: KafkaSettings, topics: list[str], handle: Handler,
                 metrics: TaskingMetrics, *, group_id: str,
                 prepare: Callable[[], Awaitable[None]] | None = None) -> None:
        self._settings, self._topics, self._handle = settings, topics, handle
        self._metrics, self._group_id, self._prepare = metrics, group_id, prepare
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        backoff = 1.0
        while not self._stopping.is_set():
            consumer = AIOKafkaConsumer(
                *self._topics, **self._settings.client_kwargs(), group_id=self._group_id,
                enable_auto_commit=False, auto_offset_reset="earliest")
            try:
                if self._prepare is not None:
                    await self._prepare()
                await consumer.start()
                backoff = 1.0
                await self._consume(consumer)
            except (KafkaError, OSError) as exc:
                log.warning("input consumer: %s; restarting in %.0f s", exc, backoff)
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
            batches = await consumer.getmany(timeout_ms=500, max_records=500)
            await self._metrics.consumer_lag.update(consumer)
            for tp, messages in batches.items():
                for message in messages:
                    if not await self._one(message):
                        return  # stopping mid-retry: uncommitted, redelivered later
                try:
                    await consumer.commit({tp: messages[-1].offset + 1})
                except CommitFailedError as exc:
                    log.warning("commit of %s failed (%s); redelivery is harmless", tp, exc)

    async def _one(self, message: ConsumerRecord) -> bool:
        topic = message.topic
        try:
            envelope = decode_envelope(message.headers or [], message.value or b"", message.key)
        except EnvelopeError as exc:
            self._metrics.dead_letters.labels(topic, type(exc).__name__).inc()
            log.error("dead letter %s[%d]@%d: %s", topic, message.partition, message.offset,
                      str(exc)[:500])
            return True
        backoff = 0.5
        while not self._stopping.is_set():
            try:
                await self._handle(envelope)
                self._metrics.messages.labels(topic, envelope.type.rsplit(".", 2)[-2]).inc()
                return True
            except PyMongoError as exc:  # the store is away: retry, never skip the message
                self._metrics.handler_retries.inc()
                log.warning("%s[%d]@%d not stored (%s); retrying in %.1f s", topic,
                            message.partition, message.offset, exc, backoff)
            except Exception as exc:
                self._metrics.dead_letters.labels(topic, type(exc).__name__).inc()
                log.exception("dead letter %s[%d]@%d: handler failed", topic,
                              message.partition, message.offset)
                return True
            await self._sleep(backoff)
            backoff = min(backoff * 2, 30.0)
        return False
