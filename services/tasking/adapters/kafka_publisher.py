"""Relays outbox entries to Kafka through the shared acked producer (idempotent, acks=all),
waiting for every ack; what Kafka did not acknowledge stays in the outbox (``PublishFailed``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from contracts.envelope import encode
from contracts.events import EVENT_TYPES
from contracts.topics import Topic, TopicRegistry
from paicha_runtime.kafka import KafkaSettings
from paicha_runtime.producer import AckedProducer, KafkaUnacknowledged


class PublishFailed(Exception):
    """Kafka did not acknowledge every message; the outbox keeps them for the next relay."""


class KafkaPublisher(AckedProducer):
    def __init__(self, settings: KafkaSettings, topics: TopicRegistry, own: Sequence[Topic], *,
                 source: str, timeout_s: float = 15.0, create_topics: bool = True) -> None:
        super().__init__(settings, own, timeout_s=timeout_s, create_topics=create_topics)
        self._registry, self._source = topics, source

    async def publish(self, entries: Sequence[dict[str, Any]]) -> None:
        """Send outbox entries in order (one key keeps its order on its partition)."""
        messages = []
        for entry in entries:
            event = EVENT_TYPES[entry["type"]].model_validate_json(entry["data"])
            messages.append((self._registry.name(entry["topic"]),
                             encode(event, source=self._source, key=entry["key"],
                                    event_id=entry["id"], time=entry["time"])))
        try:
            await self.send_all(messages)
        except KafkaUnacknowledged as exc:
            raise PublishFailed(str(exc)) from exc
