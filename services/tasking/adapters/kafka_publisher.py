"""Relays outbox entries to Kafka with an idempotent producer (acks=all), waiting for every ack.

Starts lazily and retries on the next call when Kafka was away (tasking keeps answering; the
outbox keeps what was not acknowledged). Topics are created from the registry first.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from contracts.envelope import encode
from contracts.events import EVENT_TYPES
from contracts.topics import Topic, TopicRegistry, ensure_topics
from paicha_runtime.kafka import KafkaSettings

log = logging.getLogger(__name__)


class PublishFailed(Exception):
    """Kafka did not acknowledge every message; the outbox keeps them for the next relay."""


class KafkaPublisher:
    def __init__(self, settings: KafkaSettings, topics: TopicRegistry, own: Sequence[Topic], *,
                 source: str, timeout_s: float = 15.0, create_topics: bool = True) -> None:
        self._settings, self._registry, self._own = settings, topics, list(own)
        self._source, self._timeout = source, timeout_s
        self._producer: AIOKafkaProducer | None = None
        self._lock = asyncio.Lock()
        self._topics_ready = not create_topics

    async def ensure_topics(self) -> None:
        if not self._topics_ready:
            kwargs = self._settings.client_kwargs()
            await ensure_topics(kwargs.pop("bootstrap_servers"), self._own, **kwargs)
            self._topics_ready = True

    async def _ensure(self) -> AIOKafkaProducer:
        async with self._lock:
            if self._producer is not None:
                return self._producer
            await self.ensure_topics()
            producer = AIOKafkaProducer(
                **self._settings.client_kwargs(), acks="all", enable_idempotence=True,
                linger_ms=5, request_timeout_ms=int(self._timeout * 1000))
            try:
                await producer.start()
            except BaseException:
                await producer.stop()
                raise
            self._producer = producer
            return producer

    async def start(self) -> None:
        try:
            await asyncio.wait_for(self._ensure(), self._timeout)
        except (KafkaError, OSError, TimeoutError) as exc:
            log.warning("Kafka not reachable at start (%s); will retry on demand", exc)

    async def publish(self, entries: Sequence[dict[str, Any]]) -> None:
        """Send outbox entries in order (one key keeps its order on its partition)."""
        try:
            async with asyncio.timeout(self._timeout):
                producer = await self._ensure()
                futures = []
                for entry in entries:
                    event = EVENT_TYPES[entry["type"]].model_validate_json(entry["data"])
                    message = encode(event, source=self._source, key=entry["key"],
                                     event_id=entry["id"], time=entry["time"])
                    futures.append(await producer.send(
                        self._registry.name(entry["topic"]), message.value, key=message.key,
                        headers=message.headers))
                results = await asyncio.gather(*futures, return_exceptions=True)
        except (KafkaError, OSError, TimeoutError) as exc:
            raise PublishFailed(f"Kafka did not acknowledge: {exc!r}") from exc
        failed = [r for r in results if isinstance(r, BaseException)]
        if failed:
            raise PublishFailed(f"Kafka refused {len(failed)} of {len(results)}: {failed[0]!r}")

    async def ping(self) -> bool:
        try:
            producer = await asyncio.wait_for(self._ensure(), 5)
            await asyncio.wait_for(producer.client.fetch_all_metadata(), 5)
        except (KafkaError, OSError, TimeoutError):
            return False
        return True

    async def stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None
