"""Publishes intake's events through the shared acked producer (idempotent, acks=all) and
waits for every ack before the 202; a send Kafka did not acknowledge is ``PublishFailed``."""

from __future__ import annotations

from collections.abc import Sequence

from contracts.topics import Topic
from paicha_runtime.kafka import KafkaSettings
from paicha_runtime.producer import AckedProducer, KafkaUnacknowledged
from services.intake.ports import Outgoing, PublishFailed


class KafkaPublisher(AckedProducer):
    def __init__(self, settings: KafkaSettings, topics: Sequence[Topic], *,
                 timeout_s: float = 15.0, create_topics: bool = True) -> None:
        super().__init__(settings, topics, timeout_s=timeout_s, create_topics=create_topics,
                         max_batch_size=256 * 1024)

    async def publish(self, messages: Sequence[Outgoing]) -> None:
        try:
            await self.send_all([(m.topic, m.message) for m in messages])
        except KafkaUnacknowledged as exc:
            raise PublishFailed(str(exc)) from exc
