"""The raw-topic path on the real broker: plain JSON records (single or batched) from each
feed's raw topic become records; malformed messages become rejections and the consumer keeps
going; offsets are committed only once the outputs are on Kafka."""

from __future__ import annotations

import orjson
import pytest
from aiokafka import TopicPartition

from contracts.events import InputRejected, RecordReceived
from services.intake.events import record_id
from tests.integration.intake.helpers import produce_raw, read_topic, wait_committed, where
from tests.unit.intake.builders import FEEDS, record, source_id

pytestmark = pytest.mark.integration


def group_of(intake) -> str:
    return f"{intake.components.settings.kafka.topic_namespace}.paicha-intake"


async def test_each_feed_s_raw_topic_is_consumed_into_records(intake):
    sources = {feed: source_id(f"raw-{feed}") for feed in FEEDS}
    ends = {}
    for n, feed in enumerate(FEEDS):
        value = orjson.dumps(record(feed, seq=60 + n, source_record_id=sources[feed]))
        ends[feed] = await produce_raw(intake.bootstrap, intake.raw_topic(feed), [value])
    for feed in FEEDS:
        tp = TopicPartition(intake.raw_topic(feed), 0)
        await wait_committed(intake.bootstrap, group_of(intake), tp, ends[feed])
    events = await read_topic(intake.bootstrap, intake.records_topic)
    for feed in FEEDS:
        found = where(events, lambda e, f=feed: e.record_id == record_id(f, sources[f]))
        assert len(found) == 1 and isinstance(found[0].event, RecordReceived)
        assert found[0].event.details.feed == feed


async def test_malformed_messages_are_rejected_and_the_consumer_keeps_going(intake):
    topic = intake.raw_topic("screening")
    good_before, good_after = source_id("before"), source_id("after")
    batch_ids = [source_id("batch") for _ in range(2)]
    wrong_type = source_id("wrongtype")
    values = [
        orjson.dumps(record("screening", seq=70, source_record_id=good_before)),
        b"\x00\x01 not json at all",
        b'["a", "list"]',
        orjson.dumps({**record("screening", source_record_id=wrong_type), "arrived_at": 20220801}),
        orjson.dumps(record("screening", screened_by=None, source_record_id=source_id("miss"))),
        orjson.dumps({"records": [{"name": "0" * 70_000}]}),  # one record over 64 KiB
        orjson.dumps({"records": [
            record("screening", seq=71, source_record_id=batch_ids[0]), "x",
            record("screening", seq=72, source_record_id=batch_ids[1])]}),
        orjson.dumps(record("screening", seq=73, source_record_id=good_after)),
    ]
    end = await produce_raw(intake.bootstrap, topic, values, partition=1)
    await wait_committed(intake.bootstrap, group_of(intake), TopicPartition(topic, 1), end)

    records = await read_topic(intake.bootstrap, intake.records_topic)
    for sid in (good_before, good_after, *batch_ids):
        assert len(where(records, lambda e, s=sid: e.source_record_id == s)) == 1, sid

    rejected = [e.event for e in await read_topic(intake.bootstrap, intake.rejected_topic)]
    mine = [e for e in rejected if isinstance(e, InputRejected) and e.feed == "screening"
            and e.channel.value == "kafka"]
    reasons = {e.reason.value for e in mine}
    assert {"not_json", "not_object", "invalid_type", "missing_field", "oversized"} <= reasons
    not_json = next(e for e in mine if e.reason.value == "not_json")
    assert "not json at all" in not_json.payload
    typed = next(e for e in mine if e.source_record_id == wrong_type)
    assert (typed.reason.value, typed.field) == ("invalid_type", "arrived_at")
    in_batch = next(e for e in mine if e.payload == '"x"')
    assert in_batch.index == 1
    oversized = next(e for e in mine if e.reason.value == "oversized")
    assert oversized.payload_truncated
