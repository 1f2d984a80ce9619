"""Consumes triage's cases and intake's records (group ``paicha-tasking``) and hands each
message to the handlers, a batch at a time: what one ``getmany`` returns is split into groups of
messages that touch the same person or case (in offset order), the groups run concurrently
(bounded), the messages of a group one after another. Offsets are committed once per batch,
after every message of it is in the store with its outbox and the batch's relay (one publish)
was acknowledged or left in the outboxes for the sweep. A bad message is logged and counted
(dead letter), never fatal; when the store is away a message is retried with backoff and
nothing of its batch is committed.

Several processes in the group: when partitions are revoked, the batch in hand is finished and
committed first (the rebalance waits for it), so the next owner starts where this one stopped;
what ``getmany`` returned for a partition revoked meanwhile is left to the new owner. The
``on_assigned`` / ``on_revoked`` hooks tell the handlers which partitions of ``owner_topic`` (the
cases topic) this process holds, for timers and the outbox sweep.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError, IllegalStateError
from pymongo.errors import PyMongoError

from contracts.envelope import Envelope, EnvelopeError, decode_envelope
from contracts.events import RecordReceived
from paicha_runtime.consume import Batches, ConsumeLoop
from paicha_runtime.kafka import KafkaSettings
from services.tasking.metrics import TaskingMetrics

log = logging.getLogger(__name__)
Handler = Callable[[Envelope], Awaitable[None]]
# Around the handling of one batch, given its valid messages in group order (Tasking.batch).
BatchScope = Callable[[list[Envelope]], AbstractAsyncContextManager[None]]
Assigned = Callable[[set[int], int], Awaitable[None]]
Revoked = Callable[[set[int]], None]


class InputConsumer(ConsumeLoop):
    name = "input consumer"

    def __init__(self, settings: KafkaSettings, topics: list[str], handle: Handler,
                 metrics: TaskingMetrics, *, group_id: str,
                 prepare: Callable[[], Awaitable[None]] | None = None,
                 batch: BatchScope | None = None, concurrency: int = 32,
                 owner_topic: str | None = None, on_assigned: Assigned | None = None,
                 on_revoked: Revoked | None = None) -> None:
        super().__init__(settings, topics, group_id=group_id, prepare=prepare, max_records=500)
        self._handle, self._metrics = handle, metrics
        self._batch: BatchScope = batch or (lambda _: contextlib.nullcontext())
        self._concurrency = concurrency
        self._owner_topic, self._on_assigned, self._on_revoked = (owner_topic, on_assigned,
                                                                  on_revoked)
        self._handling = asyncio.Lock()  # held while a batch is handled and committed

    def listener(self, consumer: AIOKafkaConsumer) -> ConsumerRebalanceListener:
        return _Listener(self, consumer)

    async def stopped(self) -> None:
        await self.revoked(None)

    async def polled(self, consumer: AIOKafkaConsumer, batches: Batches) -> None:
        await self._metrics.consumer_lag.update(consumer)

    async def handle(self, consumer: AIOKafkaConsumer, batches: Batches) -> bool:
        async with self._handling:
            return await self._handle_batch(consumer, batches)

    async def revoked(self, partitions: set[TopicPartition] | None) -> None:
        """Before a rebalance (and after the consumer stopped, None: all of them): the batch
        in hand is done and committed; the owner topic's partitions are handed over."""
        async with self._handling:
            if self._on_revoked is not None:
                self._on_revoked(set(range(1 << 16)) if partitions is None else {
                    tp.partition for tp in partitions if tp.topic == self._owner_topic})

    async def assigned(self, consumer: AIOKafkaConsumer,
                       partitions: set[TopicPartition]) -> None:
        if self._on_assigned is None or self._owner_topic is None:
            return
        count = len(consumer.partitions_for_topic(self._owner_topic) or ())
        try:
            await self._on_assigned({tp.partition for tp in partitions
                                     if tp.topic == self._owner_topic}, count)
        except Exception:  # the store is away: the periodic resync catches up
            log.exception("taking over partitions %s failed", sorted(partitions))

    async def _handle_batch(self, consumer: AIOKafkaConsumer, batches: Batches) -> bool:
        mine = consumer.assignment()
        batches = {tp: messages for tp, messages in batches.items() if tp in mine}
        if not batches:  # revoked since getmany: the next owner reads them
            return True
        groups = self._groups([m for messages in batches.values() for m in messages])
        limit = asyncio.Semaphore(self._concurrency)
        async with self._batch([envelope for group in groups for _, envelope in group]):
            done = await asyncio.gather(*(self._group(group, limit) for group in groups))
        if not all(done):
            return False
        try:
            await consumer.commit({tp: messages[-1].offset + 1
                                   for tp, messages in batches.items()})
        except (CommitFailedError, IllegalStateError) as exc:
            log.warning("commit failed (%s); redelivery is harmless", exc)
        return True

    async def _group(self, group: list[tuple[ConsumerRecord, Envelope]],
                     limit: asyncio.Semaphore) -> bool:
        """One group's messages in order; False when stopping left one unhandled."""
        async with limit:
            for message, envelope in group:
                if not await self._one(message, envelope):
                    return False
            return True

    def _groups(self, messages: list[ConsumerRecord]
                ) -> list[list[tuple[ConsumerRecord, Envelope]]]:
        """Valid messages grouped so that two touching the same person or case share a group
        (union of their keys), each group in the order given; bad ones are dead letters."""
        parent: dict[str, str] = {}

        def root(key: str) -> str:
            while parent.setdefault(key, key) != key:
                parent[key] = parent[parent[key]]
                key = parent[key]
            return key

        keyed: list[tuple[ConsumerRecord, Envelope, str]] = []
        for message in messages:
            envelope = self._decode(message)
            if envelope is None:
                continue
            keys = _entity_keys(envelope, message)
            for other in keys[1:]:
                parent[root(other)] = root(keys[0])
            keyed.append((message, envelope, keys[0]))
        groups: dict[str, list[tuple[ConsumerRecord, Envelope]]] = {}
        for message, envelope, key in keyed:
            groups.setdefault(root(key), []).append((message, envelope))
        # Records first: Kafka orders nothing across topics, and a case handled after its
        # person's record is assigned with the contact at once (no second write of the task).
        # The order within each topic (partition) is kept: the sort is stable.
        return [sorted(group, key=lambda item: not isinstance(item[1].event, RecordReceived))
                for group in groups.values()]

    def _decode(self, message: ConsumerRecord) -> Envelope | None:
        try:
            return decode_envelope(message.headers or [], message.value or b"", message.key)
        except EnvelopeError as exc:
            topic = message.topic
            self._metrics.dead_letters.labels(topic, type(exc).__name__).inc()
            log.error("dead letter %s[%d]@%d: %s", topic, message.partition, message.offset,
                      str(exc)[:500])
            return None

    async def _one(self, message: ConsumerRecord, envelope: Envelope) -> bool:
        topic = message.topic
        async for wait in self.retrying():
            try:
                await self._handle(envelope)
                self._metrics.messages.labels(topic, envelope.type.rsplit(".", 2)[-2]).inc()
                return True
            except PyMongoError as exc:  # the store is away: retry, never skip the message
                self._metrics.handler_retries.inc()
                log.warning("%s[%d]@%d not stored (%s); retrying in %.1f s", topic,
                            message.partition, message.offset, exc, wait)
            except Exception as exc:
                self._metrics.dead_letters.labels(topic, type(exc).__name__).inc()
                log.exception("dead letter %s[%d]@%d: handler failed", topic,
                              message.partition, message.offset)
                return True
        return False


class _Listener(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, owner: InputConsumer, consumer: AIOKafkaConsumer) -> None:
        self._owner, self._consumer = owner, consumer

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        await self._owner.revoked(set(revoked))

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        await self._owner.assigned(self._consumer, set(assigned))


def _entity_keys(envelope: Envelope, message: ConsumerRecord) -> list[str]:
    """The person and the case a message is about (the ordering unit is their union)."""
    event = envelope.event
    keys = [f"person:{key}" for key in (getattr(event, "person_key", None),) if key]
    keys += [f"case:{key}" for key in (getattr(event, "case_id", None),) if key]
    return keys or [f"message:{message.topic}:{message.partition}:{message.key!r}"]
