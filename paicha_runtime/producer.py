"""An idempotent Kafka producer (acks=all) that waits for every ack: what intake and tasking
publish through.

It starts lazily and is retried on the next call when Kafka was down, so a service starts and
answers (503, or keeps its outbox) instead of crashing while the broker is away. The service's
topics are created from the registry before the first send, so nothing is auto-created with
broker defaults.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from contracts.envelope import Message
from contracts.topics import Topic, ensure_topics
from paicha_runtime.kafka import KafkaSettings

log = logging.getLogger(__name__)


class KafkaUnacknowledged(Exception):
    """Kafka did not acknowledge every message of a send (some may have been written)."""


class AckedProducer:
    def __init__(self, settings: KafkaSettings, topics: Sequence[Topic], *,
                 timeout_s: float = 15.0, create_topics: bool = True,
                 max_batch_size: int = 16384) -> None:
        self._settings, self._topics = settings, list(topics)
        self._timeout, self._max_batch_size = timeout_s, max_batch_size
        self._producer: AIOKafkaProducer | None = None
        self._lock = asyncio.Lock()
        self._topics_ready = not create_topics

    async def ensure_topics(self) -> None:
        """Create the service's topics from the registry once (idempotent); raises KafkaError."""
        if not self._topics_ready:
            kwargs = self._settings.client_kwargs()
            await ensure_topics(kwargs.pop("bootstrap_servers"), self._topics, **kwargs)
            self._topics_ready = True

    async def _ensure(self) -> AIOKafkaProducer:
        async with self._lock:
            if self._producer is not None:
                return self._producer
            await self.ensure_topics()
            producer = AIOKafkaProducer(
                **self._settings.client_kwargs(), acks="all", enable_idempotence=True,
                linger_ms=5, max_batch_size=self._max_batch_size,
                request_timeout_ms=int(self._timeout * 1000),
            )
            try:
                await producer.start()
            except BaseException:
                await producer.stop()
                raise
            self._producer = producer
            return producer

    async def start(self) -> None:
        """Try to connect now; a failure is logged and retried on the first send."""
        try:
            await asyncio.wait_for(self._ensure(), self._timeout)
        except (KafkaError, OSError, TimeoutError) as exc:
            log.warning("Kafka not reachable at start (%s); will retry on demand", exc)

    async def send_all(self, messages: Sequence[tuple[str, Message]]) -> None:
        """Send (topic, message) pairs in order and return once every one is acknowledged;
        raises KafkaUnacknowledged otherwise."""
        producer: AIOKafkaProducer | None = None
        try:
            async with asyncio.timeout(self._timeout):
                producer = await self._ensure()
                futures = [await producer.send(topic, m.value, key=m.key, headers=m.headers)
                           for topic, m in messages]
                results = await asyncio.gather(*futures, return_exceptions=True)
        except (KafkaError, OSError, TimeoutError) as exc:
            await self._discard(producer)
            raise KafkaUnacknowledged(f"Kafka did not acknowledge: {exc!r}") from exc
        failed = [r for r in results if isinstance(r, BaseException)]
        if failed:
            await self._discard(producer)
            raise KafkaUnacknowledged(
                f"Kafka refused {len(failed)} of {len(results)}: {failed[0]!r}")

    async def _discard(self, producer: AIOKafkaProducer | None) -> None:
        """After a failed send the next one starts a new producer (a new producer id). An
        idempotent producer whose broker restarted can be left refusing every send with
        OutOfOrderSequenceNumber for good (seen in the chaos suite): its events would then
        never leave tasking's outboxes. Re-sending after a new start is safe: consumers
        dedupe by event id."""
        if producer is None:
            return  # never started: nothing to replace
        stop = producer.stop
        async with self._lock:
            if self._producer is not producer:
                return  # already replaced by another caller
            self._producer = None
        try:
            await asyncio.wait_for(stop(), 5)
        except (KafkaError, OSError, TimeoutError) as exc:
            log.info("discarded producer did not stop cleanly: %r", exc)

    async def ping(self) -> bool:
        try:
            producer = await asyncio.wait_for(self._ensure(), 5)
            await asyncio.wait_for(producer.client.fetch_all_metadata(), 5)
        except (KafkaError, OSError, TimeoutError):
            return False
        return True

    async def stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()  # flushes what is in flight
            self._producer = None
