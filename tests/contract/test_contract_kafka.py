"""Against the real broker: topic creation from the registry and the downstream example."""

from __future__ import annotations

import ast
import asyncio
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import orjson
import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from contracts.envelope import encode
from contracts.samples import sample_events, sample_record
from contracts.topics import CASES, RECORDS, TopicRegistry, ensure_topics, registry

EXAMPLE = Path(__file__).parents[2] / "contracts" / "examples" / "consumer.py"


@pytest.fixture
async def topics(
    kafka_bootstrap: str, unique_name: Callable[[str], str]
) -> AsyncIterator[TopicRegistry]:
    """A namespaced registry (1 partition each); its topics are deleted afterwards."""
    reg = registry(unique_name("contracts"), partitions=1)
    yield reg
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        mine = [t.name for t in reg if t.name in existing]
        if mine:
            await admin.delete_topics(mine)
    finally:
        await admin.close()


def test_example_imports_nothing_from_paicha() -> None:
    tree = ast.parse(EXAMPLE.read_text(encoding="utf-8"))
    modules = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    modules |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not {m.split(".")[0] for m in modules} & {"paicha", "contracts", "services"}


@pytest.mark.integration
async def test_ensure_topics_creates_missing_topics_with_configs_once(
    kafka_bootstrap: str, topics: TopicRegistry
) -> None:
    broker = kafka_bootstrap
    created = await ensure_topics(broker, topics)
    assert sorted(created) == sorted(t.name for t in topics)
    assert await ensure_topics(broker, topics) == []
    admin = AIOKafkaAdminClient(bootstrap_servers=broker)
    await admin.start()
    try:
        resource = ConfigResource(ConfigResourceType.TOPIC, topics.name(RECORDS))
        (response,) = await admin.describe_configs([resource])
        configs = {entry[0]: entry[1] for entry in response.resources[0][4]}
    finally:
        await admin.close()
    assert configs["retention.ms"] == topics[RECORDS].configs["retention.ms"]
    assert configs["cleanup.policy"] == "delete"


@pytest.mark.integration
async def test_downstream_example_validates_real_events_and_flags_corrupt_ones(
    kafka_bootstrap: str, topics: TopicRegistry, unique_name: Callable[[str], str]
) -> None:
    broker = kafka_bootstrap
    wanted = [topics[CASES], topics[RECORDS]]
    await ensure_topics(broker, wanted)
    events = [e for e in sample_events() if e.topic in (CASES, RECORDS)]
    good = [(topics.for_event(e).name, encode(e, source="/test", key=e.entity_key()))
            for e in events]
    corrupt = encode(sample_record(), source="/test", key="corrupt-1")
    data = orjson.loads(corrupt.value)
    del data["person"]["id_number"]
    producer = AIOKafkaProducer(bootstrap_servers=broker)
    await producer.start()
    try:
        for topic, m in good:
            await producer.send_and_wait(topic, m.value, key=m.key, headers=m.headers)
        await producer.send_and_wait(topics.name(RECORDS), orjson.dumps(data), key=b"corrupt-1",
                                     headers=corrupt.headers)
        await producer.send_and_wait(topics.name(RECORDS), b"{not json", key=b"corrupt-2",
                                     headers=corrupt.headers)
    finally:
        await producer.stop()

    total = len(good) + 2
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(EXAMPLE), "--bootstrap", broker, "--group", unique_name("example"),
        "--topic", topics.name(CASES), "--topic", topics.name(RECORDS),
        "--max-messages", str(total), "--idle-timeout", "20",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    stdout, stderr = await asyncio.wait_for(proc.communicate(), timeout=90)
    lines = stdout.decode().splitlines()
    assert proc.returncode == 1, stderr.decode()
    valid = [line for line in lines if line.startswith("valid ")]
    invalid = [line for line in lines if line.startswith("INVALID ")]
    assert len(valid) == len(good)
    assert {line.split()[2] for line in valid} == {e.ce_type for e in events}
    assert len(invalid) == 2
    assert any("/person: fails required" in line for line in invalid)
    assert any("value is not JSON" in line for line in invalid)
    assert lines[-1] == f"summary valid={len(good)} invalid=2 duplicates=0"
    assert not any(sample_record().person.id_number in line for line in lines)  # no PII echoed
