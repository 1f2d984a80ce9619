"""The intake handler with fakes: partial acceptance, rejections published, no duplicates,
re-publish of unconfirmed claims, and nothing answered when Kafka or the store is away."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from contracts.envelope import decode_envelope
from contracts.events import InputRejected, IntakeChannel, RecordReceived
from contracts.values import person_key
from services.intake.handlers import json_payload
from services.intake.ports import Candidate, Claim, Unavailable
from tests.unit.intake.builders import id_number, record
from tests.unit.intake.fakes import SECRET, T0, FakePublisher, FakeStore, make_intake

HTTP = IntakeChannel.HTTP


def candidates(*records: object) -> list[Candidate]:
    return [Candidate(i, r if isinstance(r, dict) else None, json_payload(r))
            for i, r in enumerate(records)]


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def publisher() -> FakePublisher:
    return FakePublisher()


async def test_valid_records_are_published_keyed_by_person_key_with_the_record_id_as_event_id(
        store, publisher):
    result = await make_intake(store, publisher).submit("bigdata", HTTP, candidates(record()))
    assert (result.accepted, result.rejected, result.duplicates) == (1, [], [])
    [message] = publisher.sent
    envelope = decode_envelope(message.message.headers, message.message.value)
    event = envelope.event
    assert isinstance(event, RecordReceived)
    assert message.topic == "paicha.intake.records.v1"
    assert envelope.id == event.record_id == result.record_ids[0]
    assert message.message.key.decode() == event.person_key == person_key(
        "resident_id", id_number(1), SECRET)
    assert event.received_at == T0
    assert store.published == {event.record_id}


async def test_invalid_records_are_answered_and_published_as_input_rejected(store, publisher):
    bad = record(mobile="12345")
    result = await make_intake(store, publisher).submit(
        "bigdata", HTTP, candidates(record(), bad, "not an object"))
    assert result.accepted == 1
    assert [(r.position, r.reason, r.field) for r in result.rejected] == [
        (1, "invalid_mobile", "mobile"), (2, "not_object", None)]
    rejected = publisher.events("rejected.v1")
    assert [e.reason.value for e in rejected if isinstance(e, InputRejected)] == [
        "invalid_mobile", "not_object"]
    first = rejected[0]
    assert isinstance(first, InputRejected)
    assert first.index == 1 and first.channel == HTTP and first.source_record_id == "src-1"
    assert '"mobile":"12345"' in first.payload


async def test_the_same_bad_input_twice_is_the_same_rejection(store, publisher):
    intake = make_intake(store, publisher)
    await intake.submit("bigdata", HTTP, candidates(record(mobile="1")))
    await intake.submit("bigdata", HTTP, candidates(record(mobile="1")))
    first, second = publisher.events("rejected.v1")
    assert isinstance(first, InputRejected) and isinstance(second, InputRejected)
    assert first.rejection_id == second.rejection_id


async def test_a_record_repeated_in_one_call_is_one_record(store, publisher):
    result = await make_intake(store, publisher).submit(
        "bigdata", HTTP, candidates(record(), record(name="测试九"), record(seq=2)))
    assert (result.accepted, result.duplicates) == (2, [1])
    assert len(publisher.events("records.v1")) == 2


async def test_a_published_record_pushed_again_is_a_duplicate(store, publisher):
    intake = make_intake(store, publisher)
    await intake.submit("bigdata", HTTP, candidates(record()))
    again = await intake.submit("bigdata", HTTP, candidates(record()))
    assert (again.accepted, again.duplicates) == (0, [0])
    assert len(publisher.events("records.v1")) == 1


async def test_a_claimed_but_unconfirmed_record_is_republished_with_its_first_received_at(
        store, publisher):
    first = await make_intake(store, publisher).submit("bigdata", HTTP, candidates(record()))
    rid = first.record_ids[0]
    store.published.clear()  # as if intake was killed between publish and mark
    earlier = datetime(2022, 8, 1, 1, 0, tzinfo=UTC)
    store.claims[rid] = Claim(rid, "bigdata", "src-1", earlier)
    again = await make_intake(store, publisher).submit("bigdata", HTTP, candidates(record()))
    assert (again.accepted, again.republished, again.duplicates) == (1, 1, [])
    events = publisher.events("records.v1")
    assert len(events) == 2
    assert isinstance(events[1], RecordReceived) and events[1].received_at == earlier
    assert {e.record_id for e in events if isinstance(e, RecordReceived)} == {rid}
    assert rid in store.published


async def test_kafka_down_raises_unavailable_and_marks_nothing(store, publisher):
    publisher.down = True
    with pytest.raises(Unavailable):
        await make_intake(store, publisher).submit("bigdata", HTTP, candidates(record()))
    assert store.published == set()
    publisher.down = False  # the retry publishes it (the claim alone is not "published")
    result = await make_intake(store, publisher).submit("bigdata", HTTP, candidates(record()))
    assert (result.accepted, result.republished) == (1, 1)


async def test_store_down_raises_unavailable_and_publishes_nothing(store, publisher):
    store.down = True
    with pytest.raises(Unavailable):
        await make_intake(store, publisher).submit("bigdata", HTTP, candidates(record()))
    assert publisher.sent == []


async def test_a_failed_mark_after_kafka_acknowledged_still_accepts(store, publisher):
    store.mark_down = True
    result = await make_intake(store, publisher).submit("bigdata", HTTP, candidates(record()))
    assert result.accepted == 1 and len(publisher.sent) == 1


async def test_a_call_of_only_rejects_touches_no_store(store, publisher):
    store.down = True
    result = await make_intake(store, publisher).submit("bigdata", HTTP, candidates(5, [1]))
    assert len(result.rejected) == 2 and len(publisher.sent) == 2


async def test_the_default_county_applies_to_records_without_area_codes(store, publisher):
    bare = record(current_county_code=None, current_township_code=None,
                  current_village_code=None)
    result = await make_intake(store, publisher, default_county="130826").submit(
        "bigdata", HTTP, candidates(bare))
    [event] = publisher.events("records.v1")
    assert result.accepted == 1
    assert isinstance(event, RecordReceived) and event.current.county_code == "130826"
