"""The poll loop every aiokafka consumer of paicha runs (intake's raw feeds, tasking's inputs,
reporting's facts): start the consumer (retrying with backoff while Kafka or the store is away),
poll batches, hand each to the service, until ``stop()``; then leave the group.

A service subclasses ``ConsumeLoop`` and writes ``handle(consumer, batches)``: it handles the
batch and commits its offsets, and answers False only when ``stop()`` interrupted it with
something unhandled (then nothing more is committed and the next owner, or the next start,
reads it again). ``retrying()`` is the shared "never skip a message" backoff for that.
Offsets are never committed automatically, and a group with no committed offset starts at the
earliest message.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, ConsumerRecord, TopicPartition
from aiokafka.errors import KafkaError

from paicha_runtime.kafka import KafkaSettings

log = logging.getLogger(__name__)
Batches = dict[TopicPartition, list[ConsumerRecord]]


class ConsumeLoop:
    """Subclass hooks: ``handle`` (required), ``polled`` (after every poll, e.g. lag),
    ``listener`` (a rebalance listener), ``stopped`` (after the consumer left the group)."""

    #: how the loop is named in its log lines
    name = "consumer"

    def __init__(self, settings: KafkaSettings, topics: Sequence[str], *, group_id: str,
                 prepare: Callable[[], Awaitable[None]] | None = None,
                 max_records: int = 1000, **consumer_kwargs: Any) -> None:
        self._settings, self._topics, self._group_id = settings, list(topics), group_id
        # e.g. create the topics first: subscribing to a missing topic would only see it
        # after the next metadata refresh (minutes)
        self._prepare = prepare
        self._max_records, self._consumer_kwargs = max_records, consumer_kwargs
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        self._stopping.set()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    async def run(self) -> None:
        """Start (retrying while Kafka is away), consume until ``stop()``, then leave the group."""
        backoff = 1.0
        while not self._stopping.is_set():
            consumer = AIOKafkaConsumer(
                **self._settings.client_kwargs(), group_id=self._group_id,
                enable_auto_commit=False, auto_offset_reset="earliest", **self._consumer_kwargs)
            try:
                if self._prepare is not None:
                    await self._prepare()
                await consumer.start()
                consumer.subscribe(self._topics, listener=self.listener(consumer))
                backoff = 1.0
                await self._poll(consumer)
            except (KafkaError, OSError) as exc:
                log.warning("%s: %s; restarting in %.0f s", self.name, exc, backoff)
                await self.sleep(backoff)
                backoff = min(backoff * 2, 30.0)
            finally:
                await consumer.stop()
                await self.stopped()

    async def _poll(self, consumer: AIOKafkaConsumer) -> None:
        while not self._stopping.is_set():
            batches = await consumer.getmany(timeout_ms=500, max_records=self._max_records)
            await self.polled(consumer, batches)
            if batches and not await self.handle(consumer, batches):
                return  # stopping mid-retry: left uncommitted, it will be redelivered

    async def handle(self, consumer: AIOKafkaConsumer, batches: Batches) -> bool:
        """Handle and commit one poll's batches; False: stopped with something unhandled."""
        raise NotImplementedError

    async def polled(self, consumer: AIOKafkaConsumer, batches: Batches) -> None:
        """After every poll, batches or none (e.g. to measure lag)."""

    def listener(self, consumer: AIOKafkaConsumer) -> ConsumerRebalanceListener | None:
        """A rebalance listener for ``consumer``, or None."""
        return None

    async def stopped(self) -> None:
        """After the consumer stopped (it has left the group)."""

    async def sleep(self, seconds: float) -> None:
        """Sleep, or less if ``stop()`` is called meanwhile."""
        try:
            await asyncio.wait_for(self._stopping.wait(), seconds)
        except TimeoutError:
            pass

    async def retrying(self, first: float = 0.5, most: float = 30.0) -> AsyncIterator[float]:
        """Attempts until ``stop()``: each iteration is one attempt (yielding the wait that
        follows a failure); the caller breaks out when it succeeds. Waits double, from
        ``first`` up to ``most`` seconds."""
        backoff = first
        while not self._stopping.is_set():
            yield backoff
            await self.sleep(backoff)
            backoff = min(backoff * 2, most)
