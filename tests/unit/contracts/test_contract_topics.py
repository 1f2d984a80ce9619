"""Topic registry: names, keys, partitions, retention, namespaces."""

from __future__ import annotations

import re

import pytest

from contracts.events import ALL_EVENTS, Feed
from contracts.topics import (
    ASSIST_REPLIES,
    CASES,
    DAILY,
    DEFAULT,
    INFINITE,
    RECORDS,
    REJECTED,
    RESOLUTIONS,
    RISK_AREAS,
    TASKS,
    TESTS,
    registry,
)

NAME = re.compile(r"^paicha\.(feeds\.[a-z]+\.raw|[a-z]+\.[a-z-]+\.v\d+)$")


def test_registry_holds_the_raw_feeds_and_the_public_topics() -> None:
    names = {t.name for t in DEFAULT}
    assert names == {f"paicha.feeds.{f.value}.raw" for f in Feed} | {
        RECORDS, REJECTED, RISK_AREAS, CASES, TASKS, TESTS, RESOLUTIONS, ASSIST_REPLIES, DAILY}
    assert all(NAME.match(name) for name in names)


def test_every_event_type_has_exactly_one_topic() -> None:
    routed = [t for topic in DEFAULT for t in topic.event_types]
    assert sorted(routed) == sorted(m.ce_type for m in ALL_EVENTS)


@pytest.mark.parametrize(
    ("name", "key", "restricted", "partitions"),
    [(RECORDS, "person_key", True, 6), (REJECTED, "rejection_id", True, 3),
     (RISK_AREAS, "area_code", False, 1), (CASES, "case_id", False, 6),
     (TASKS, "task_id", True, 6), (TESTS, "test_task_id", False, 3),
     (DAILY, "report_date", False, 1)],
)
def test_topic_keys_partitions_and_restriction(
    name: str, key: str, restricted: bool, partitions: int
) -> None:
    topic = DEFAULT[name]
    assert (topic.key, topic.restricted, topic.partitions) == (key, restricted, partitions)


def test_raw_feeds_are_restricted() -> None:
    assert all(DEFAULT.raw_feed(feed).restricted for feed in Feed)


def test_risk_area_designations_are_history_kept_forever() -> None:
    topic = DEFAULT[RISK_AREAS]
    assert topic.configs == {"cleanup.policy": "delete", "retention.ms": str(INFINITE)}


def test_namespace_prefixes_every_name_and_keeps_lookups() -> None:
    reg = registry("t123", partitions=1)
    assert all(t.name.startswith("t123.paicha.") for t in reg)
    assert all(t.partitions == 1 for t in reg)
    assert reg.name(RECORDS) == "t123." + RECORDS
    assert reg.by_name("t123." + CASES).base_name == CASES
    assert registry("a")[RECORDS].name != registry("b")[RECORDS].name


def test_partition_override_per_topic() -> None:
    reg = registry(partitions={RECORDS: 12})
    assert reg[RECORDS].partitions == 12 and reg[CASES].partitions == 6


@pytest.mark.parametrize("namespace", ["", "has space", "dots.not.allowed", "x" * 101])
def test_bad_namespaces_are_refused(namespace: str) -> None:
    with pytest.raises(ValueError):
        registry(namespace)


def test_unknown_topic_lookup_fails_clearly() -> None:
    with pytest.raises(KeyError, match="no topic"):
        DEFAULT["paicha.nothing.v1"]


def test_resolutions_are_co_partitioned_with_records() -> None:
    assert DEFAULT[RESOLUTIONS].partitions == DEFAULT[RECORDS].partitions
    assert DEFAULT[RESOLUTIONS].key == DEFAULT[RECORDS].key == "person_key"
