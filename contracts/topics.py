"""Topic registry: every Kafka topic, its key, event types, partitions and retention.

``registry(namespace="t123")`` gives the same topics with prefixed names so tests never
share data; services create topics only through ``ensure_topics``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError, for_code

from contracts.events import ALL_EVENTS, Event, Feed

DAY_MS = 24 * 60 * 60 * 1000
INFINITE = -1
RAW_FEED_TOPIC = "paicha.feeds.{feed}.raw"
RECORDS = "paicha.intake.records.v1"
REJECTED = "paicha.intake.rejected.v1"
RISK_AREAS = "paicha.triage.risk-areas.v1"
CASES = "paicha.triage.cases.v1"
TASKS = "paicha.tasking.tasks.v1"
TESTS = "paicha.tasking.tests.v1"
RESOLUTIONS = "paicha.tasking.resolutions.v1"
ASSIST_REPLIES = "paicha.tasking.assist-replies.v1"
DAILY = "paicha.reporting.daily.v1"
_VALID_NAME = re.compile(r"^[A-Za-z0-9._-]{1,249}$")


@dataclass(frozen=True)
class Topic:
    """One topic; ``name`` is what to pass to Kafka, ``base_name`` the registry's logical name."""

    name: str
    base_name: str
    key: str
    event_types: tuple[str, ...]
    partitions: int
    retention_ms: int
    restricted: bool
    producers: tuple[str, ...]
    consumers: tuple[str, ...]
    description: str
    compacted: bool = False

    @property
    def configs(self) -> dict[str, str]:
        """Kafka topic configs to create it with."""
        return {
            "cleanup.policy": "compact" if self.compacted else "delete",
            "retention.ms": str(self.retention_ms),
        }


def _types(topic: str) -> tuple[str, ...]:
    return tuple(m.ce_type for m in ALL_EVENTS if m.topic == topic)


def _base_topics() -> list[Topic]:
    def t(name: str, key: str, parts: int, days: int, restricted: bool, producers: str,
          consumers: str, description: str) -> Topic:
        return Topic(name, name, key, _types(name), parts,
                     INFINITE if days < 0 else days * DAY_MS, restricted,
                     tuple(producers.split()), tuple(consumers.split()), description)

    raw = [
        t(RAW_FEED_TOPIC.format(feed=f.value), "source_record_id", 3, 7, True, "feed:" + f.value,
          "intake", f"Raw records the {f.value} feed produces directly (JSON, not CloudEvents)")
        for f in Feed
    ]
    return [*raw,
        t(RECORDS, "person_key", 6, 90, True, "intake", "triage reporting",
          "Normalized screening records (PII)"),
        t(REJECTED, "rejection_id", 3, 30, True, "intake", "reporting",
          "Inputs intake rejected, with reason and the original payload (PII)"),
        t(RISK_AREAS, "area_code", 1, -1, False, "triage", "triage reporting",
          "Risk-area designations; history, kept forever so triage can replay it"),
        t(CASES, "case_id", 6, -1, False, "triage", "tasking reporting",
          "Classified cases (person key only, no PII)"),
        t(TASKS, "task_id", 6, 90, True, "tasking", "reporting",
          "Verification task lifecycle (PII: contact details for the grid worker)"),
        t(TESTS, "test_task_id", 3, 90, False, "tasking", "reporting",
          "Test tasks and results (person key only)"),
        t(RESOLUTIONS, "person_key", 6, 90, False, "tasking", "triage reporting",
          "Cases tasking is done with; triage closes them (co-partitioned with records)"),
        t(ASSIST_REPLIES, "request_id", 3, 90, False, "tasking", "outbound",
          "Replies to the provinces that asked for assist checks (协查)"),
        t(DAILY, "report_date", 1, -1, False, "reporting", "",
          "Daily close-out figures and briefing text"),
    ]


@dataclass(frozen=True)
class TopicRegistry:
    """The topics of one deployment (or one test namespace)."""

    topics: tuple[Topic, ...]
    namespace: str | None = None

    def __iter__(self) -> Iterator[Topic]:
        return iter(self.topics)

    def __len__(self) -> int:
        return len(self.topics)

    def __getitem__(self, base_name: str) -> Topic:
        for topic in self.topics:
            if topic.base_name == base_name:
                return topic
        raise KeyError(f"no topic {base_name!r} in the registry")

    def name(self, base_name: str) -> str:
        """Kafka name of a logical topic, e.g. ``reg.name(RECORDS)``."""
        return self[base_name].name

    def for_event(self, event: Event | type[Event]) -> Topic:
        """The topic an event (instance or class) is published to."""
        return self[event.topic]

    def raw_feed(self, feed: Feed | str) -> Topic:
        return self[RAW_FEED_TOPIC.format(feed=Feed(feed).value)]

    def by_name(self, name: str) -> Topic:
        """Look up by the (possibly namespaced) Kafka name."""
        for topic in self.topics:
            if topic.name == name:
                return topic
        raise KeyError(f"no topic named {name!r} in the registry")


def registry(
    namespace: str | None = None, *, partitions: int | dict[str, int] | None = None
) -> TopicRegistry:
    """The registry; ``namespace`` prefixes every name, ``partitions`` overrides counts."""
    if namespace is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,100}", namespace):
        raise ValueError(f"namespace must be letters, digits, _ or -: {namespace!r}")
    topics = []
    for topic in _base_topics():
        name = f"{namespace}.{topic.name}" if namespace else topic.name
        count = topic.partitions
        if isinstance(partitions, int):
            count = partitions
        elif partitions and topic.base_name in partitions:
            count = partitions[topic.base_name]
        if not _VALID_NAME.match(name) or count < 1:
            raise ValueError(f"invalid topic {name!r} with {count} partitions")
        topics.append(replace(topic, name=name, partitions=count))
    return TopicRegistry(tuple(topics), namespace)


DEFAULT = registry()


async def ensure_topics(
    bootstrap: str,
    topics: Iterable[Topic],
    *,
    replication_factor: int = 1,
    timeout_ms: int = 30000,
    **client_kwargs: Any,
) -> list[str]:
    """Create the topics that do not exist yet, with their configs; returns the names created.

    Idempotent: existing topics (and a concurrent creator winning the race) are fine.
    ``client_kwargs`` go to ``AIOKafkaAdminClient`` (security_protocol, sasl_*, ssl_context).
    """
    wanted = {topic.name: topic for topic in topics}
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **client_kwargs)
    await admin.start()
    try:
        missing = [t for name, t in wanted.items() if name not in set(await admin.list_topics())]
        if not missing:
            return []
        response = await admin.create_topics(
            [NewTopic(t.name, t.partitions, replication_factor, topic_configs=t.configs)
             for t in missing],
            timeout_ms=timeout_ms,
        )
        created = []
        for name, code, *message in response.topic_errors:
            if code == 0:
                created.append(name)
            elif for_code(code) is not TopicAlreadyExistsError:
                detail = message[0] if message else ""
                raise for_code(code)(f"creating topic {name}: {detail}")
        return created
    finally:
        await admin.close()
