"""Creating the topics triage needs before its worker starts (an agent whose topic is missing at
start consumes nothing), and reading how many partitions the records topic really has."""

from __future__ import annotations

import asyncio

from aiokafka.admin import AIOKafkaAdminClient

from contracts.topics import (
    CASES,
    DAY_MS,
    RECORDS,
    REJECTED,
    RESOLUTIONS,
    RISK_AREAS,
    Topic,
    ensure_topics,
)
from contracts.topics import registry as topic_registry
from services.triage.settings import TriageSettings

COMMANDS_RETENTION_MS = 7 * DAY_MS


def faust_topics(app_id: str, partitions: int) -> list[Topic]:
    """The topics faust would create at worker start: the tables' changelogs (compacted) and its
    leader topic. Made here first, and waited for until the broker's metadata shows them: a
    worker that starts on a changelog created a moment before (a new stack on a busy machine)
    can wait in table recovery for a partition its metadata does not know, and never be ready."""
    def internal(name: str, count: int, compacted: bool) -> Topic:
        return Topic(name=name, base_name=name, key="", event_types=(), partitions=count,
                     retention_ms=-1 if compacted else COMMANDS_RETENTION_MS, restricted=False,
                     producers=("triage",), consumers=("triage",),
                     description="Internal: faust", compacted=compacted)

    return [internal(f"{app_id}-cases_by_person-changelog", partitions, True),
            internal(f"{app_id}-designations_by_area-changelog", 1, True),
            internal(f"{app_id}-downgrade_notices_by_case-changelog", 1, True),
            internal(f"{app_id}-__assignor-__leader", 1, False)]


def commands_topic(name: str, partitions: int) -> Topic:
    """The internal re-triage command topic, as many partitions as the records topic."""
    return Topic(name=name, base_name=name, key="area_code", event_types=(),
                 partitions=partitions, retention_ms=COMMANDS_RETENTION_MS, restricted=False,
                 producers=("triage",), consumers=("triage",),
                 description="Internal: re-triage commands, one per case partition")


async def _partitions_of(settings: TriageSettings, name: str) -> int:
    admin = AIOKafkaAdminClient(**settings.kafka.client_kwargs())
    await admin.start()
    try:
        # A topic created a moment ago may not be in the metadata yet; on a busy machine that
        # takes seconds (seen: more than 10 s with a broker and four services on 2 cores).
        for attempt in range(120):
            described = await admin.describe_topics([name])
            partitions = described[0].get("partitions") or []
            if partitions:
                return len(partitions)
            await asyncio.sleep(min(0.25 * (attempt + 1), 1.0))
    finally:
        await admin.close()
    raise RuntimeError(f"topic {name} shows no partitions")


async def prepare_topics(settings: TriageSettings) -> int:
    """Create what is missing; returns the records topic's partition count (case partitions)."""
    registry = topic_registry(settings.topic_namespace)
    kwargs = settings.kafka.client_kwargs()
    bootstrap = kwargs.pop("bootstrap_servers")
    public = [registry[name] for name in (RECORDS, RISK_AREAS, CASES, REJECTED, RESOLUTIONS)]
    await ensure_topics(bootstrap, public, replication_factor=settings.replication_factor,
                        **kwargs)
    partitions = await _partitions_of(settings, registry.name(RECORDS))
    resolutions = await _partitions_of(settings, registry.name(RESOLUTIONS))
    if resolutions != partitions:
        # A resolution must reach the worker holding the person's case (same key, same
        # partition number): the topics must have as many partitions.
        raise RuntimeError(f"{registry.name(RESOLUTIONS)} has {resolutions} partitions, "
                           f"{registry.name(RECORDS)} has {partitions}: they must match")
    commands = commands_topic(f"{settings.app_id}-retriage-commands", partitions)
    await ensure_topics(bootstrap, [commands], replication_factor=settings.replication_factor,
                        **kwargs)
    actual = await _partitions_of(settings, commands.name)
    if actual != partitions:
        # Co-partitioning is what sends a partition's commands to the worker holding its cases.
        raise RuntimeError(f"{commands.name} has {actual} partitions, {registry.name(RECORDS)} "
                           f"has {partitions}: delete {commands.name} so it is recreated")
    internal = faust_topics(settings.app_id, partitions)
    await ensure_topics(bootstrap, internal, replication_factor=settings.replication_factor,
                        **kwargs)
    for topic in internal:
        await _partitions_of(settings, topic.name)
    return partitions
