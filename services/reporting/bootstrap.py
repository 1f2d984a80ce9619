"""Wires settings to adapters and the handler; ``Components`` starts and stops them in the
app's lifespan (every client on the server's event loop)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry

from contracts.places import load_gazetteer
from contracts.topics import (
    CASES,
    DAILY,
    RECORDS,
    REJECTED,
    RESOLUTIONS,
    RISK_AREAS,
    TASKS,
    TESTS,
    TopicRegistry,
    ensure_topics,
    registry,
)
from paicha_runtime.service import stop_tasks
from services.reporting.adapters.consumer import EventConsumer
from services.reporting.adapters.publisher import DailyPublisher
from services.reporting.adapters.store import FactStore
from services.reporting.auth import Authenticator
from services.reporting.closeout import CloseoutScheduler
from services.reporting.domain.report import County
from services.reporting.handlers import Reporting
from services.reporting.metrics import ReportingMetrics
from services.reporting.settings import ReportingSettings

log = logging.getLogger(__name__)
CONSUMED = (RECORDS, REJECTED, RISK_AREAS, CASES, TASKS, TESTS, RESOLUTIONS)


@dataclass
class Components:
    settings: ReportingSettings
    topics: TopicRegistry
    metrics: ReportingMetrics
    auth: Authenticator
    store: FactStore
    publisher: DailyPublisher
    reporting: Reporting
    consumer: EventConsumer
    closeout: CloseoutScheduler
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    loaded: int = 0

    @property
    def consumed_topics(self) -> list[str]:
        return [self.topics.name(t) for t in CONSUMED]

    async def prepare_topics(self) -> None:
        if self.settings.create_topics:
            kwargs = self.settings.kafka.client_kwargs()
            await ensure_topics(kwargs.pop("bootstrap_servers"),
                                [self.topics[t] for t in (*CONSUMED, DAILY)], **kwargs)

    async def start(self) -> None:
        await self.store.prepare()
        self.loaded = await self.reporting.load()
        log.info("view rebuilt from %d stored facts", self.loaded)
        self._tasks.append(asyncio.create_task(self.consumer.run(), name="consumer"))
        if self.settings.close_out:
            self._tasks.append(asyncio.create_task(self.closeout.run(), name="closeout"))

    async def stop(self) -> None:
        self.consumer.stop()
        self.closeout.stop()
        await stop_tasks(self._tasks)
        self._tasks.clear()
        await self.publisher.stop()
        await self.store.close()


def county_of(settings: ReportingSettings) -> County:
    try:
        gazetteer = load_gazetteer(settings.county_code)
        name, towns = gazetteer.county_name, {t.code: t.name for t in gazetteer.townships}
    except FileNotFoundError:
        name, towns = settings.county_code, {}
    return County(settings.county_code, settings.county_short_name, name, towns)


def build(settings: ReportingSettings, *, metrics_registry: CollectorRegistry | None = None,
          clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> Components:
    """Everything reporting needs, not yet connected (``start()`` connects)."""
    topics = registry(settings.kafka.topic_namespace or None)
    metrics = ReportingMetrics(metrics_registry or CollectorRegistry())
    store = FactStore(settings.mongo, facts=settings.facts_collection,
                      closeouts=settings.closeouts_collection)
    publisher = DailyPublisher(settings.kafka, topics.name(DAILY), source=settings.source,
                               timeout_s=settings.publish_timeout_s)
    reporting = Reporting(store=store, publisher=publisher, metrics=metrics,
                          county=county_of(settings), campaign_start=settings.campaign_start,
                          clock=clock, snapshot_max_age_s=settings.snapshot_max_age_s)
    group = settings.consumer_group
    if settings.kafka.topic_namespace:
        group = f"{settings.kafka.topic_namespace}.{group}"
    components_ref: list[Components] = []

    async def prepare() -> None:
        await components_ref[0].prepare_topics()

    consumer = EventConsumer(settings.kafka, [topics.name(t) for t in CONSUMED],
                             reporting.ingest, metrics, group_id=group, prepare=prepare)
    closeout = CloseoutScheduler(reporting, store, caught_up=consumer.caught_up,
                                 grace_s=settings.close_grace_s,
                                 catch_up_timeout_s=settings.catch_up_timeout_s, clock=clock)
    auth = Authenticator(settings.admin_token_hash, settings.reader_token_hash)
    components = Components(settings, topics, metrics, auth, store, publisher, reporting,
                            consumer, closeout)
    components_ref.append(components)
    return components
