"""Kafka or the store away: 503 with Retry-After, nothing acknowledged that was not stored,
and the record is accepted when pushed again once the dependency is back."""

from __future__ import annotations

import asyncio
import socket
import time
import uuid

import httpx
import pytest

from services.intake.app import create_app
from services.intake.bootstrap import build
from services.intake.events import record_id
from tests.integration.intake.helpers import (
    auth,
    drop_database,
    make_settings,
    read_topic,
    where,
)
from tests.unit.intake.builders import record, source_id

pytestmark = pytest.mark.integration


def dead_address() -> str:
    """A local port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{sock.getsockname()[1]}"


async def push_to_intake_with(settings, raw) -> tuple[httpx.Response, httpx.Response]:
    app = create_app(build(settings))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://intake") as client:
            push = await client.post("/v1/feeds/bigdata/records", json={"records": [raw]},
                                     headers=auth("bigdata"))
            ready = await client.get("/readyz")
    return push, ready


async def test_kafka_down_is_503_with_retry_after_and_a_later_push_is_accepted(intake, mongo_url):
    raw = record(seq=90, source_record_id=source_id("nokafka"))
    namespace = intake.components.settings.kafka.topic_namespace  # same store and topics
    settings = make_settings(dead_address(), mongo_url, namespace, consume_raw=False,
                             publish_timeout_s=3)
    push, ready = await push_to_intake_with(settings, raw)
    assert push.status_code == 503 and push.headers["retry-after"] == "5"
    assert push.json()["error"]["code"] == "unavailable" and "kafka" in push.json()["error"][
        "message"]
    assert ready.status_code == 503 and ready.json()["checks"]["kafka"].startswith("unavailable")

    rid = record_id("bigdata", raw["source_record_id"])
    assert not where(await read_topic(intake.bootstrap, intake.records_topic),
                     lambda e: e.record_id == rid)
    retry = await intake.client.post("/v1/feeds/bigdata/records", json={"records": [raw]},
                                     headers=auth("bigdata"))
    assert (retry.status_code, retry.json()["accepted"]) == (202, 1)
    assert len(where(await read_topic(intake.bootstrap, intake.records_topic),
                     lambda e: e.record_id == rid)) == 1


async def test_store_down_is_503_and_nothing_is_published(intake, kafka_bootstrap):
    raw = record(seq=91, source_record_id=source_id("nostore"))
    settings = make_settings(kafka_bootstrap, f"mongodb://{dead_address()}/",
                             intake.components.settings.kafka.topic_namespace, consume_raw=False)
    push, ready = await push_to_intake_with(settings, raw)
    assert push.status_code == 503 and "store" in push.json()["error"]["message"]
    assert ready.json()["checks"]["store"].startswith("unavailable")
    rid = record_id("bigdata", raw["source_record_id"])
    assert not where(await read_topic(intake.bootstrap, intake.records_topic),
                     lambda e: e.record_id == rid)


async def test_a_call_answered_503_is_published_by_the_sweep_without_a_new_push(
        kafka_bootstrap, mongo_url):
    """Kafka away during the call: 503, the claim stays. A running intake publishes it by
    itself within grace + slot + interval, with the same record id, and marks it."""
    namespace = f"t-sweep-{uuid.uuid4().hex[:8]}"
    raw = record(seq=92, source_record_id=source_id("sweep"))
    rid = record_id("bigdata", raw["source_record_id"])
    fast = {"sweep_slot_s": 1, "sweep_grace_s": 1, "sweep_interval_s": 0.5,
            "sweep_lookback_s": 60, "consume_raw": False}
    away = make_settings(dead_address(), mongo_url, namespace, publish_timeout_s=2,
                         sweep=False, **{k: v for k, v in fast.items() if k != "sweep"})
    push, _ = await push_to_intake_with(away, raw)
    assert push.status_code == 503
    settings = make_settings(kafka_bootstrap, mongo_url, namespace, **fast)
    components = build(settings)
    app = create_app(components)
    topic = components.topics.name("paicha.intake.records.v1")
    try:
        async with app.router.lifespan_context(app):
            deadline = time.monotonic() + 30
            found: list = []
            swept = None
            # The sweep counts a record once Kafka acknowledged it and it is marked: the record
            # can be on the topic a moment before the counter moves.
            while not found or swept is None:
                assert time.monotonic() < deadline, "the sweep did not publish the record"
                await asyncio.sleep(1)
                found = where(await read_topic(kafka_bootstrap, topic),
                              lambda e: e.record_id == rid)
                swept = components.metrics.registry.get_sample_value(
                    "paicha_intake_records_swept_total", {"feed": "bigdata"})
            assert swept == 1
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://i") as client:
                again = await client.post("/v1/feeds/bigdata/records", json={"records": [raw]},
                                          headers=auth("bigdata"))
            assert again.json()["duplicates"] == 1
        [event] = found
        assert event.id == rid and event.event.channel.value == "http"
    finally:
        await drop_database(mongo_url, settings.mongo.database)
