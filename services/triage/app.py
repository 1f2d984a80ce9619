"""The triage faust App: topics, changelog-backed tables, agents and the HTTP API, built from
settings with every dependency passed in (tests pass a memory publisher and a fake fatal hook).

Tables (named `<value>_by_<key>`):
- `cases_by_person` (Table, one partition per records partition): the person's case.
- `designations_by_area` (GlobalTable, 1 partition): every notice per area code; every worker
  holds all of it, rebuilt from the changelog at start, and the worker's in-memory registry is
  fed from its changelog events.
- `downgrade_notices_by_case` (GlobalTable, 1 partition): would-be downgrades kept for review,
  held in full by every worker so any of them lists all.
- `designations_by_partition` (Table, one partition per records partition): key
  `<partition>/<area code>/<notice id>`, the designation a re-triage command applied on that case
  partition; a worker that takes the partition over recovers it before handling the partition's
  records and applies what its registry lacks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import faust
from fastapi import FastAPI

from contracts.events import RiskAreaDesignated
from contracts.topics import registry as topic_registry
from services.triage.domain import Policy, RiskAreaRegistry

from .adapters.http_api import build_api
from .adapters.mapping import decode_notices, designation_from_event
from .adapters.publisher import KafkaPublisher, Publisher
from .adapters.rewind import TriageApp
from .adapters.state import CaseIndex
from .adapters.worker_port import WorkerPort
from .agents import install_agents
from .auth import Authenticator
from .handlers import Handlers, utc_now
from .lag import install_lag_timer
from .messages import Outgoing, TriageTopics
from .metrics import TriageMetrics
from .settings import TriageSettings

log = logging.getLogger(__name__)
# faust picks a table's changelog serializers from key_type/value_type (json unless bytes),
# whatever a schema says: bytes values keep our own versioned JSON (see case_codec) intact.
_BYTES: dict[str, Any] = {"key_type": str, "value_type": bytes}


@dataclass
class Triage:
    """Everything one triage worker is made of."""

    settings: TriageSettings
    app: faust.App
    topics: TriageTopics
    policy: Policy
    registry: RiskAreaRegistry
    metrics: TriageMetrics
    handlers: Handlers
    cases_by_person: Any
    designations_by_area: Any
    downgrade_notices_by_case: Any
    case_index: CaseIndex
    designations_by_partition: Any
    publisher: Publisher
    on_fatal: Callable[[BaseException], None]
    agents: dict[str, Any] = field(default_factory=dict)
    api: FastAPI | None = None


def faust_app(settings: TriageSettings, partitions: int) -> faust.App:
    # TriageApp: faust's App with the rebalance rewind fix (adapters/rewind.py).
    return TriageApp(
        settings.app_id,
        **settings.kafka.faust_kwargs(),
        store=settings.store,
        datadir=str(settings.data_dir),
        topic_partitions=partitions,
        topic_replication_factor=settings.replication_factor,
        # exactly_once stalled after a restart with faust 0.15 + Kafka 4.4 here; every handler
        # is idempotent instead (deterministic event ids, duplicate detection in the case).
        processing_guarantee="at_least_once",
        key_serializer="raw",
        value_serializer="raw",
        broker_session_timeout=settings.session_timeout_seconds,
        producer_linger=settings.producer_linger_seconds,
        broker_heartbeat_interval=min(3.0, settings.session_timeout_seconds / 3),
        web_port=settings.http_port,
        web_bind=settings.http_host,
        autodiscover=False,
    )


def create_triage(settings: TriageSettings, *, policy: Policy, partitions: int,
                  on_fatal: Callable[[BaseException], None],
                  publisher: Publisher | None = None,
                  clock: Callable[[], datetime] = utc_now, with_api: bool = True) -> Triage:
    """`on_fatal` is called when Kafka keeps refusing output: it must stop the worker."""
    app = faust_app(settings, partitions)
    topics = TriageTopics.from_registry(topic_registry(settings.topic_namespace),
                                        app_id=settings.app_id, partitions=partitions)
    registry = RiskAreaRegistry()

    async def on_designation_changelog(event: Any) -> None:
        # Every worker follows the GlobalTable's changelog (at start and as a standby), so
        # its registry sees designations handled on other workers too.
        try:
            for body in decode_notices(event.value).values():
                registry.apply(designation_from_event(
                    RiskAreaDesignated.model_validate_json(body)))
        except ValueError:
            # Only triage writes this changelog; a bad entry is a bug to see, not to crash on.
            log.exception("unreadable designations_by_area entry %r", event.key)

    cases = app.Table("cases_by_person", partitions=partitions, **_BYTES,
                      help="The open case of each person, by person key")
    areas = app.GlobalTable("designations_by_area", partitions=1, **_BYTES,
                            recovery_buffer_size=1,  # faust's advice for GlobalTable
                            on_changelog_event=on_designation_changelog,
                            help="Every designation notice, by area code")
    # Global, so any worker answers GET /v1/risk-areas/downgrades for every case partition.
    # One partition, which the case agent writes while handling any case partition (its Book
    # pins the writes to partition 0). A case's notices are written only by the worker owning
    # the case's partition, so no two workers write the same key.
    downgrades = app.GlobalTable("downgrade_notices_by_case", partitions=1, **_BYTES,
                                 recovery_buffer_size=1,  # faust's advice for GlobalTable
                                 help="Downgrades noticed by re-triage, not applied, by case id")
    # Co-partitioned with the records: the designations each case partition was re-triaged
    # for, so whichever worker takes the partition over knows them before its first record
    # (the GlobalTable above reaches it only as a standby, later).
    applied = app.Table("designations_by_partition", partitions=partitions, **_BYTES,
                        help="The designations each case partition was re-triaged for")
    metrics = TriageMetrics()
    metrics.watch_registry(lambda: registry)
    if publisher is None:
        async def start_send(m: Outgoing) -> Any:
            return await app.producer.send(m.topic, m.key, m.value, m.partition, None, m.headers)

        publisher = KafkaPublisher(start_send, attempts=settings.send_attempts)
    triage = Triage(
        settings=settings, app=app, topics=topics, policy=policy, registry=registry,
        metrics=metrics, handlers=Handlers(topics=topics, policy=policy, registry=registry,
                                           source=settings.source, clock=clock),
        cases_by_person=cases, designations_by_area=areas, downgrade_notices_by_case=downgrades,
        case_index=CaseIndex(), designations_by_partition=applied, publisher=publisher,
        on_fatal=on_fatal)
    install_agents(triage)
    install_lag_timer(app, [topics.records, topics.risk_areas, topics.commands],
                      metrics.consumer_lag)
    if with_api:
        port = WorkerPort(triage)
        triage.api = build_api(port, port.readiness_checks(), metrics.registry,
                               Authenticator(settings.token_grants()))
    return triage
