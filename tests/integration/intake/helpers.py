"""Reading topics back with aiokafka (decoded through contracts.envelope) and building the
settings a test intake runs with."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from pymongo import AsyncMongoClient

from contracts.envelope import Envelope, decode, decode_envelope
from services.intake.auth import hash_token, new_token
from services.intake.settings import IntakeSettings
from tests.unit.intake.builders import FEEDS

SECRET = "integration-person-key-secret-0f3a9c"
TOKENS = {feed: new_token(feed) for feed in (*FEEDS, "admin")}


def settings_env(kafka: str, mongo: str, namespace: str) -> dict[str, str]:
    """The environment a test intake (in-process or subprocess) runs with."""
    env = {
        "INTAKE_ENVIRONMENT": "test",
        "INTAKE_KAFKA__BOOTSTRAP": kafka,
        "INTAKE_KAFKA__TOPIC_NAMESPACE": namespace,
        "INTAKE_MONGO__URL": mongo,
        "INTAKE_MONGO__DATABASE": namespace.replace(".", "_"),
        "INTAKE_PERSON_KEY_SECRET": SECRET,
        "INTAKE_ADMIN_TOKEN_HASH": hash_token(TOKENS["admin"]),
        "INTAKE_PUBLISH_TIMEOUT_S": "10",
    }
    env.update({f"INTAKE_FEED_TOKENS__{f.upper()}": hash_token(TOKENS[f]) for f in FEEDS})
    return env


def make_settings(kafka: str, mongo: str, namespace: str, *,
                  ferretdb_postgresql_url: str | None = None, **overrides: Any) -> IntakeSettings:
    env = settings_env(kafka, mongo, namespace)
    values: dict[str, Any] = {
        "environment": "test", "person_key_secret": SECRET,
        "kafka": {"bootstrap": kafka, "topic_namespace": namespace},
        "mongo": {"url": mongo, "database": env["INTAKE_MONGO__DATABASE"],
                  "ferretdb_postgresql_url": ferretdb_postgresql_url},
        "admin_token_hash": env["INTAKE_ADMIN_TOKEN_HASH"],
        "feed_tokens": {f: hash_token(TOKENS[f]) for f in FEEDS},
        "publish_timeout_s": 10,
    }
    values.update(overrides)
    return IntakeSettings(_env_prefix="IGNORED_", **values)  # type: ignore[call-arg]


async def drop_database(mongo_url: str, name: str) -> None:
    client: AsyncMongoClient = AsyncMongoClient(mongo_url)
    try:
        await client.drop_database(name)
    finally:
        await client.close()


def auth(feed: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKENS[feed]}"}


async def read_topic(bootstrap: str, topic: str) -> list[Envelope]:
    """Every event on the topic now, decoded (from the beginning up to the end offsets)."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, enable_auto_commit=False,
                                auto_offset_reset="earliest")  # no group: every partition
    await consumer.start()
    try:
        for _ in range(100):
            partitions = list(consumer.assignment())
            if partitions:
                break
            await asyncio.sleep(0.05)
        await consumer.seek_to_beginning(*partitions)
        end = await consumer.end_offsets(partitions)
        out: list[Envelope] = []
        while [tp for tp in partitions if await consumer.position(tp) < end[tp]]:
            batch = await consumer.getmany(*partitions, timeout_ms=1000)
            for messages in batch.values():
                for m in messages:
                    assert m.value is not None and m.headers is not None
                    decode(m.headers, m.value)  # the public helper downstream teams use
                    out.append(decode_envelope(m.headers, m.value, m.key))
        return out
    finally:
        await consumer.stop()


async def produce_raw(bootstrap: str, topic: str, values: list[bytes], partition: int = 0
                      ) -> int:
    """Produce raw feed messages to one partition; returns the offset after the last one."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all",
                                max_request_size=2 * 1024 * 1024)
    await producer.start()
    try:
        last = None
        for value in values:
            last = await producer.send_and_wait(topic, value, partition=partition)
        assert last is not None
        return last.offset + 1
    finally:
        await producer.stop()


async def wait_committed(bootstrap: str, group: str, tp: TopicPartition, offset: int,
                         within_s: float = 30) -> None:
    """Until the group committed ``offset`` on ``tp`` (intake commits after Kafka acks)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group,
                                enable_auto_commit=False)
    await consumer.start()
    try:
        deadline = time.monotonic() + within_s
        while (await consumer.committed(tp) or 0) < offset:
            assert time.monotonic() < deadline, f"{group} did not commit {tp} up to {offset}"
            await asyncio.sleep(0.2)
    finally:
        await consumer.stop()


def where(envelopes: list[Envelope], test: Callable[[Any], bool]) -> list[Envelope]:
    return [e for e in envelopes if test(e.event)]
