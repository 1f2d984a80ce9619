"""Running reporting in process against the real broker and store, and producing a scenario's
events to its topic namespace."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer
from pymongo import AsyncMongoClient

from contracts.envelope import encode
from contracts.events import Event
from contracts.topics import registry
from services.reporting.app import create_app
from services.reporting.auth import hash_token
from services.reporting.bootstrap import Components, build
from services.reporting.settings import ReportingSettings

ADMIN_TOKEN = "pc_admin_integration-reporting-token-5d1c"


def make_settings(kafka: str, mongo: str, namespace: str, **overrides: Any) -> ReportingSettings:
    values: dict[str, Any] = {
        "environment": "test",
        "kafka": {"bootstrap": kafka, "topic_namespace": namespace},
        "mongo": {"url": mongo, "database": namespace.replace(".", "_").replace("-", "_")},
        "admin_token_hash": hash_token(ADMIN_TOKEN),
        "close_grace_s": 0,
        "catch_up_timeout_s": 60,
    }
    values.update(overrides)
    return ReportingSettings(_env_prefix="IGNORED_", **values)  # type: ignore[call-arg]


@dataclass
class Running:
    client: httpx.AsyncClient
    components: Components


@asynccontextmanager
async def running(settings: ReportingSettings, clock: Callable[[], datetime]
                  ) -> AsyncIterator[Running]:
    components = build(settings, clock=clock)
    app = create_app(components)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://reporting",
                                     timeout=120) as client:
            yield Running(client, components)


async def produce(bootstrap: str, namespace: str, events: list[tuple[str, Event]],
                  *, seed: int = 1, duplicate_share: float = 0.3) -> int:
    """Produce the events shuffled, a share of them twice; returns how many were sent."""
    topics = registry(namespace)
    rng = random.Random(seed)
    delivered = list(events) + rng.sample(events, int(len(events) * duplicate_share))
    rng.shuffle(delivered)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    await producer.start()
    try:
        for event_id, event in delivered:
            message = encode(event, source="/test/scenario", key=event.entity_key(),
                             event_id=event_id)
            await producer.send(topics.for_event(event).name, message.value, key=message.key,
                                headers=message.headers)
        await producer.flush()
    finally:
        await producer.stop()
    return len(delivered)


async def drop_database(mongo_url: str, name: str) -> None:
    client: AsyncMongoClient = AsyncMongoClient(mongo_url)
    try:
        await client.drop_database(name)
    finally:
        await client.close()


async def produce_garbage(bootstrap: str, topic: str) -> None:
    """Three malformed messages: no CloudEvents headers, not JSON, JSON of the wrong shape."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    headers = [("ce_specversion", b"1.0"), ("ce_id", b"bad-1"), ("ce_source", b"/test"),
               ("ce_type", b"cn.paicha.triage.case.opened.v1")]
    try:
        await producer.send_and_wait(topic, b"not an event", key=b"x")
        await producer.send_and_wait(topic, b"{not json", key=b"x", headers=headers)
        await producer.send_and_wait(topic, b'{"case_id": 1}', key=b"x", headers=headers)
    finally:
        await producer.stop()
