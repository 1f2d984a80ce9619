"""No duplicates on the real broker and store: the same record pushed over HTTP, as a file and
on the raw topic is one record; an unconfirmed claim is re-published with the same ids."""

from __future__ import annotations

import asyncio
import csv
import io

import orjson
import pytest
from aiokafka import TopicPartition
from pymongo import AsyncMongoClient

from contracts.events import RecordReceived
from services.intake.domain.fields import spec
from services.intake.events import record_id
from tests.integration.intake.helpers import auth, produce_raw, read_topic, wait_committed, where
from tests.unit.intake.builders import record, source_id

pytestmark = pytest.mark.integration


def as_csv(raw: dict[str, object], feed: str = "contacts") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([spec(feed, name).label for name in raw])
    writer.writerow(list(raw.values()))
    return buffer.getvalue().encode("gbk")


async def test_the_same_record_pushed_three_ways_is_one_record(intake):
    raw = record("contacts", seq=80, source_record_id=source_id("3ways"))
    rid = record_id("contacts", raw["source_record_id"])
    first = await intake.client.post("/v1/feeds/contacts/records", json={"records": [raw]},
                                      headers=auth("contacts"))
    assert first.json()["accepted"] == 1
    upload = await intake.client.post("/v1/feeds/contacts/files", headers=auth("contacts"),
                                      files={"file": ("密接名单.csv", as_csv(raw))})
    assert (upload.json()["accepted"], upload.json()["duplicates"]) == (0, 1)
    hits = intake.metric("paicha_intake_dedupe_hits_total", feed="contacts", channel="kafka",
                         scope="store")
    topic = intake.raw_topic("contacts")
    end = await produce_raw(intake.bootstrap, topic, [orjson.dumps(raw)], partition=2)
    group = f"{intake.components.settings.kafka.topic_namespace}.paicha-intake"
    await wait_committed(intake.bootstrap, group, TopicPartition(topic, 2), end)
    assert intake.metric("paicha_intake_dedupe_hits_total", feed="contacts", channel="kafka",
                         scope="store") == hits + 1
    again = await intake.client.post("/v1/feeds/contacts/records", json={"records": [raw, raw]},
                                      headers=auth("contacts"))
    assert (again.json()["accepted"], again.json()["duplicates"]) == (0, 2)
    found = where(await read_topic(intake.bootstrap, intake.records_topic),
                  lambda e: e.record_id == rid)
    assert len(found) == 1 and found[0].id == rid


async def test_a_claim_left_publishing_by_a_crash_is_republished_with_the_same_ids(intake):
    raw = record(seq=81, source_record_id=source_id("crash"))
    rid = record_id("bigdata", raw["source_record_id"])
    await intake.client.post("/v1/feeds/bigdata/records", json={"records": [raw]},
                             headers=auth("bigdata"))
    settings = intake.components.settings
    mongo: AsyncMongoClient = AsyncMongoClient(settings.mongo.url)
    try:  # as if intake died after Kafka acknowledged but before it marked the record
        db = mongo[settings.mongo.database]
        assert (await db[settings.dedupe_collection].find_one({"_id": rid}))["feed"] == "bigdata"
        await db[settings.published_collection].delete_one({"_id": rid})
        # Pushed again another way: the re-published event is still the first one, channel too.
        response = await intake.client.post("/v1/feeds/bigdata/files", headers=auth("bigdata"),
                                            files={"file": ("名单.csv", as_csv(raw, "bigdata"))})
        assert response.json()["accepted"] == 1
        assert await db[settings.published_collection].find_one({"_id": rid}) is not None
    finally:
        await mongo.close()
    copies = where(await read_topic(intake.bootstrap, intake.records_topic),
                   lambda e: e.record_id == rid)
    assert len(copies) == 2  # downstream sees one event id and one content
    assert {c.id for c in copies} == {rid}
    assert copies[0].event == copies[1].event
    assert copies[0].event.channel is not None and copies[0].event.channel.value == "http"
    third = await intake.client.post("/v1/feeds/bigdata/records", json={"records": [raw]},
                                     headers=auth("bigdata"))
    assert third.json()["duplicates"] == 1


async def test_concurrent_pushes_of_one_record_yield_one_event_id(intake):
    raw = record(seq=82, source_record_id=source_id("race"))
    rid = record_id("bigdata", raw["source_record_id"])
    answers = await asyncio.gather(*(
        intake.client.post("/v1/feeds/bigdata/records", json={"records": [raw]},
                           headers=auth("bigdata")) for _ in range(5)))
    assert all(a.status_code == 202 for a in answers)
    copies = where(await read_topic(intake.bootstrap, intake.records_topic),
                   lambda e: e.record_id == rid)
    assert copies and {c.id for c in copies} == {rid}
    assert len({c.event.received_at for c in copies if isinstance(c.event, RecordReceived)}) == 1
