"""Wires settings to adapters, handlers and the scheduler; ``Components`` starts and stops
them (in the app's lifespan, so every client lives on the server's event loop). The clock is
injected here: tests pass a ManualClock and move time."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry

from contracts import events as ev
from contracts.topics import TopicRegistry, registry
from paicha_runtime.service import stop_tasks
from services.tasking.adapters.consumer import InputConsumer
from services.tasking.adapters.kafka_publisher import KafkaPublisher
from services.tasking.adapters.mongo_store import TaskStore
from services.tasking.clock import Clock, SystemClock
from services.tasking.domain.policy import Policy
from services.tasking.handlers import Tasking
from services.tasking.metrics import TaskingMetrics
from services.tasking.policy import load_policy
from services.tasking.scheduler import Scheduler
from services.tasking.settings import TaskingSettings

log = logging.getLogger(__name__)
OWN_EVENTS = (ev.TaskAssigned, ev.TestTaskScheduled, ev.CaseResolved, ev.AssistReplyIssued)


@dataclass
class Components:
    settings: TaskingSettings
    topics: TopicRegistry
    policy: Policy
    clock: Clock
    metrics: TaskingMetrics
    store: TaskStore
    publisher: KafkaPublisher
    scheduler: Scheduler
    tasking: Tasking
    consumer: InputConsumer | None
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def start(self) -> None:
        await self.store.prepare()
        await self.publisher.start()
        await self.tasking.recover()
        self._tasks.append(asyncio.create_task(self.scheduler.run(), name="scheduler"))
        self._tasks.append(asyncio.create_task(self._sweep(), name="outbox-sweep"))
        if self.consumer is not None:
            self._tasks.append(asyncio.create_task(self.consumer.run(), name="consumer"))

    async def _sweep(self) -> None:
        """Relays what a failed publish left in outboxes (Kafka was away); every
        ``timer_resync_s`` reloads the owned timers and gauges (another process's API writes)."""
        loop = asyncio.get_running_loop()
        resynced = loop.time()
        while True:
            await asyncio.sleep(self.settings.outbox_sweep_s)
            try:
                await self.tasking.relay_pending()
                if loop.time() - resynced >= self.settings.timer_resync_s:
                    resynced = loop.time()
                    await self.tasking.resync()
            except Exception:
                log.warning("outbox sweep failed; next round in %.0f s",
                            self.settings.outbox_sweep_s, exc_info=True)

    async def stop(self) -> None:
        if self.consumer is not None:
            self.consumer.stop()
        self.scheduler.stop()
        await stop_tasks(self._tasks)
        self._tasks.clear()
        await self.publisher.stop()
        await self.store.close()


def build(settings: TaskingSettings, *, clock: Clock | None = None,
          metrics_registry: CollectorRegistry | None = None) -> Components:
    """Everything tasking needs, not yet connected (``start()`` connects). PolicyError when the
    policy file is unusable."""
    topics = registry(settings.kafka.topic_namespace or None)
    policy = load_policy(settings.policy_file)
    clock = clock or SystemClock()
    metrics = TaskingMetrics(metrics_registry or CollectorRegistry())
    own = [topics.for_event(e) for e in OWN_EVENTS]
    inputs = [topics.for_event(ev.CaseOpened), topics.for_event(ev.RecordReceived)]
    publisher = KafkaPublisher(settings.kafka, topics, [*own, *inputs], source=settings.source,
                               timeout_s=settings.publish_timeout_s,
                               create_topics=settings.create_topics)
    store = TaskStore(settings.mongo)
    scheduler = Scheduler(clock, metrics)
    tasking = Tasking(store, publisher, policy, clock, metrics, scheduler)
    scheduler.fire = tasking.fire
    consumer = None
    if settings.consume:
        tasking.owned_by_consumer()
        consumer = InputConsumer(settings.kafka, [t.name for t in inputs], tasking.handle,
                                 metrics, group_id=settings.group_id(),
                                 prepare=publisher.ensure_topics, batch=tasking.batch,
                                 concurrency=settings.consumer_concurrency,
                                 owner_topic=inputs[0].name, on_assigned=tasking.take_over,
                                 on_revoked=tasking.hand_over)
    return Components(settings, topics, policy, clock, metrics, store, publisher, scheduler,
                      tasking, consumer)
