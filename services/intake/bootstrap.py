"""Wires settings to adapters and the handler; ``Components`` starts and stops them (in the
app's lifespan, so every client lives on the server's event loop)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import timedelta

from prometheus_client import CollectorRegistry

from contracts.events import Feed, InputRejected, RecordReceived
from contracts.topics import TopicRegistry, registry
from paicha_runtime.service import stop_tasks
from services.intake.adapters.kafka_publisher import KafkaPublisher
from services.intake.adapters.mongo_store import MongoDedupeStore
from services.intake.adapters.places import load_places
from services.intake.adapters.raw_consumer import RawFeedConsumer
from services.intake.auth import Authenticator
from services.intake.handlers import Intake
from services.intake.metrics import IntakeMetrics
from services.intake.settings import IntakeSettings
from services.intake.sweeper import Sweeper

log = logging.getLogger(__name__)


@dataclass
class Components:
    settings: IntakeSettings
    topics: TopicRegistry
    metrics: IntakeMetrics
    auth: Authenticator
    publisher: KafkaPublisher
    store: MongoDedupeStore
    intake: Intake
    consumer: RawFeedConsumer | None
    sweeper: Sweeper | None = None
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def start(self) -> None:
        await self.publisher.start()
        if self.consumer is not None:
            self._tasks.append(asyncio.create_task(self.consumer.run(), name="raw-consumer"))
        if self.sweeper is not None:
            self._tasks.append(asyncio.create_task(self.sweeper.run(), name="sweeper"))

    async def stop(self) -> None:
        if self.consumer is not None:
            self.consumer.stop()
        if self.sweeper is not None:
            self.sweeper.stop()
        await stop_tasks(self._tasks)
        self._tasks.clear()
        await self.publisher.stop()
        await self.store.close()


def build(settings: IntakeSettings, *, metrics_registry: CollectorRegistry | None = None
          ) -> Components:
    """Everything intake needs, not yet connected (``start()`` connects)."""
    topics = registry(settings.kafka.topic_namespace or None)
    own = [topics.raw_feed(feed) for feed in Feed]
    own += [topics.for_event(RecordReceived), topics.for_event(InputRejected)]
    metrics = IntakeMetrics(metrics_registry or CollectorRegistry())
    publisher = KafkaPublisher(settings.kafka, own, timeout_s=settings.publish_timeout_s,
                               create_topics=settings.create_topics)
    store = MongoDedupeStore(settings.mongo, claims=settings.dedupe_collection,
                             published=settings.published_collection,
                             sweep=settings.sweep_collection, slot_s=settings.sweep_slot_s)
    intake = Intake(store=store, publisher=publisher, topics=topics,
                    secret=settings.person_key_bytes(), metrics=metrics, source=settings.source,
                    default_county=settings.default_county_code, places=load_places(),
                    clock_skew=timedelta(seconds=settings.clock_skew_s))
    consumer = None
    group = settings.consumer_group
    if settings.kafka.topic_namespace:  # a test namespace gets its own group, like its topics
        group = f"{settings.kafka.topic_namespace}.{group}"
    if settings.consume_raw:
        raw = {topics.raw_feed(feed).name: feed.value for feed in Feed}
        consumer = RawFeedConsumer(settings.kafka, raw, intake, metrics,
                                   group_id=group,
                                   prepare=publisher.ensure_topics,
                                   max_bytes=settings.max_record_bytes,
                                   max_message_bytes=settings.max_raw_message_bytes,
                                   max_records=settings.max_records_per_call)
    sweeper = Sweeper(store, publisher, metrics,
                      records_topic=topics.for_event(RecordReceived).name,
                      interval_s=settings.sweep_interval_s, grace_s=settings.sweep_grace_s,
                      slot_s=settings.sweep_slot_s, lookback_s=settings.sweep_lookback_s,
                      source=settings.source,
                      prepare=store.ensure_indexes) if settings.sweep else None
    auth = Authenticator(settings.feed_tokens.model_dump(), settings.admin_token_hash)
    return Components(settings, topics, metrics, auth, publisher, store, intake, consumer,
                      sweeper)
