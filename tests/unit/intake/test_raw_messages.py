"""Raw feed messages: one record, a batch, or something malformed that must become a refusal."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.events import IntakeChannel
from services.intake.adapters.raw_messages import parse_raw
from tests.unit.intake.builders import record
from tests.unit.intake.fakes import FakePublisher, FakeStore, make_intake


def test_one_record_per_message():
    [candidate] = parse_raw(orjson.dumps(record()))
    assert candidate.position is None and candidate.problem is None
    assert candidate.payload() == orjson.dumps(record()).decode()


def test_a_records_batch_gives_one_candidate_per_record_with_its_index():
    batch = parse_raw(orjson.dumps({"records": [record(), record(seq=2), 7]}))
    assert [c.position for c in batch] == [0, 1, 2]


@pytest.mark.parametrize(("value", "reason"), [
    (b"", "not_json"), (None, "not_json"), (b"{not json", "not_json"),
    (b"\xff\xfe\x00garbage", "not_json"), (b"[1, 2]", "not_object"), (b'"text"', "not_object"),
    (b"null", "not_object"),
    (orjson.dumps({**record(), "name": 5}), "invalid_type"),
    (orjson.dumps(record(name=None)), "missing_field"),
    (orjson.dumps(record(current_address="x" * 70_000)), "oversized"),
])
async def test_malformed_messages_become_rejections_with_the_original_payload(value, reason):
    publisher = FakePublisher()
    result = await make_intake(FakeStore(), publisher).submit(
        "bigdata", IntakeChannel.KAFKA, parse_raw(value))
    assert [r.reason for r in result.rejected] == [reason]
    [event] = publisher.events("rejected.v1")
    assert event.reason.value == reason  # type: ignore[attr-defined]
    assert event.channel == IntakeChannel.KAFKA  # type: ignore[attr-defined]
    text = (value or b"").decode("utf-8", "replace")
    assert event.payload == text[:8192]  # type: ignore[attr-defined]
    assert event.payload_truncated == (len(text) > 8192)  # type: ignore[attr-defined]


async def test_a_bad_record_in_a_batch_is_refused_alone_with_its_index_and_own_payload():
    publisher = FakePublisher()
    value = orjson.dumps({"records": [record(), 1, record(seq=2, mobile="1")]})
    result = await make_intake(FakeStore(), publisher).submit(
        "bigdata", IntakeChannel.KAFKA, parse_raw(value))
    assert result.accepted == 1
    assert [(r.position, r.reason) for r in result.rejected] == [
        (1, "not_object"), (2, "invalid_mobile")]
    first, second = publisher.events("rejected.v1")
    assert first.payload == "1" and first.index == 1  # type: ignore[attr-defined]
    assert '"mobile":"1"' in second.payload  # type: ignore[attr-defined]


@given(st.binary(max_size=300))
def test_no_bytes_make_the_parser_raise(value):
    candidates = parse_raw(value)
    assert candidates
    for candidate in candidates:
        assert isinstance(candidate.payload(), str)


def test_a_batch_of_500_records_is_limited_per_record_not_as_a_whole():
    records = [record(seq=i, source_record_id=f"b-{i}") for i in range(500)]
    value = orjson.dumps({"records": records})
    assert len(value) > 64 * 1024
    batch = parse_raw(value, max_bytes=64 * 1024)
    assert len(batch) == 500 and all(c.problem is None for c in batch)


def test_an_oversized_record_in_a_batch_is_refused_alone():
    big = record(current_address="测" * 40_000)
    batch = parse_raw(orjson.dumps({"records": [record(), big]}), max_bytes=64 * 1024)
    assert batch[0].problem is None
    assert batch[1].problem is not None and batch[1].problem.reason == "oversized"
    assert batch[1].position == 1


def test_a_batch_with_too_many_records_is_refused():
    [refused] = parse_raw(orjson.dumps({"records": [record()] * 6}), max_records=5)
    assert refused.problem is not None and refused.problem.reason == "too_many_records"
