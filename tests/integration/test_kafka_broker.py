"""The broker is real: aiokafka produces and consumes in a group, and committed offsets survive."""

from __future__ import annotations

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

pytestmark = pytest.mark.integration


async def _create_topic(bootstrap: str, name: str, partitions: int = 3) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, partitions, 1)])
    finally:
        await admin.close()


async def _drain(consumer: AIOKafkaConsumer, expected: int) -> list[bytes]:
    values: list[bytes] = []
    for _ in range(30):
        batch = await consumer.getmany(timeout_ms=1000)
        for messages in batch.values():
            values.extend(m.value for m in messages if m.value is not None)
        if len(values) >= expected:
            break
    return values


async def test_committed_offsets_survive_a_consumer_restart(kafka_bootstrap, unique_name):
    topic, group = unique_name("offsets"), unique_name("group")
    await _create_topic(kafka_bootstrap, topic)
    producer = AIOKafkaProducer(
        bootstrap_servers=kafka_bootstrap, enable_idempotence=True, acks="all"
    )
    await producer.start()
    try:
        for i in range(10):
            await producer.send_and_wait(topic, f"first-{i}".encode(), key=f"k{i % 4}".encode())
    finally:
        await producer.stop()

    def consumer() -> AIOKafkaConsumer:
        return AIOKafkaConsumer(
            topic,
            bootstrap_servers=kafka_bootstrap,
            group_id=group,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )

    first = consumer()
    await first.start()
    try:
        seen = await _drain(first, 10)
        await first.commit()
    finally:
        await first.stop()
    assert sorted(seen) == sorted(f"first-{i}".encode() for i in range(10))

    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    await producer.start()
    try:
        for i in range(3):
            await producer.send_and_wait(topic, f"second-{i}".encode(), key=b"k")
    finally:
        await producer.stop()

    restarted = consumer()
    await restarted.start()
    try:
        after_restart = await _drain(restarted, 3)
    finally:
        await restarted.stop()
    # Only what came after the commit: nothing of the first ten is read again.
    assert sorted(after_restart) == [b"second-0", b"second-1", b"second-2"]
