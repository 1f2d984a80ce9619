"""CloudEvents Kafka binary envelope: round trips, headers, errors, deterministic ids."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
import pytest
from hypothesis import given, settings

from contracts.envelope import (
    EnvelopeError,
    MalformedJsonError,
    MissingHeaderError,
    SchemaMismatchError,
    UnknownEventTypeError,
    decode,
    decode_envelope,
    derived_event_id,
    encode,
    schema_uri,
)
from contracts.events import Event
from contracts.samples import sample_events, sample_record
from tests.unit.contracts.contract_strategies import events


@settings(max_examples=300)
@given(events)
def test_encode_decode_round_trips_every_event_type(event: Event) -> None:
    message = encode(event, source="/test", key=event.entity_key())
    assert decode(message.headers, message.value) == event


@pytest.mark.parametrize("event", sample_events(), ids=lambda e: type(e).__name__)
def test_headers_are_cloudevents_binary_mode(event: Event) -> None:
    when = datetime(2022, 6, 1, 1, 0, tzinfo=UTC)
    message = encode(event, source="/intake", key=event.entity_key(), event_id="e-1", time=when)
    headers = dict(message.headers)
    assert all(isinstance(v, bytes) for v in headers.values())
    assert headers == {
        "ce_specversion": b"1.0", "ce_id": b"e-1", "ce_source": b"/intake",
        "ce_type": event.ce_type.encode(), "ce_time": b"2022-06-01T01:00:00Z",
        "ce_subject": event.entity_key().encode(),
        "ce_dataschema": schema_uri(event.ce_type).encode(),
        "content-type": b"application/json",
    }
    assert message.key == event.entity_key().encode()
    assert orjson.loads(message.value) == event.model_dump(mode="json")
    envelope = decode_envelope(message.headers, message.value, message.key)
    assert (envelope.id, envelope.source, envelope.time) == ("e-1", "/intake", when)
    assert (envelope.subject, envelope.key, envelope.event) == (
        event.entity_key(), event.entity_key(), event)


def test_decode_accepts_a_header_dict_and_explicit_subject() -> None:
    record = sample_record()
    message = encode(record, source="/intake", key=b"k", subject="s")
    envelope = decode_envelope(dict(message.headers), message.value)
    assert envelope.subject == "s" and envelope.event == record


def _message() -> tuple[list[tuple[str, bytes]], bytes]:
    message = encode(sample_record(), source="/intake", key="k")
    return message.headers, message.value


def _replace(headers: list[tuple[str, bytes]], name: str, value: bytes | None):
    return [(k, v) for k, v in headers if k != name] + ([(name, value)] if value else [])


def test_unknown_type_is_reported() -> None:
    headers, value = _message()
    with pytest.raises(UnknownEventTypeError, match=r"cn\.paicha\.intake\.record\.exploded\.v1"):
        decode(_replace(headers, "ce_type", b"cn.paicha.intake.record.exploded.v1"), value)


def test_missing_type_means_not_a_cloudevent() -> None:
    headers, value = _message()
    with pytest.raises(MissingHeaderError, match="no ce_type"):
        decode(_replace(headers, "ce_type", None), value)


@pytest.mark.parametrize("header", ["ce_id", "ce_source", "ce_specversion"])
def test_missing_required_attribute_is_reported(header: str) -> None:
    headers, value = _message()
    with pytest.raises(MissingHeaderError):
        decode(_replace(headers, header, None), value)


def test_bad_json_is_reported() -> None:
    headers, value = _message()
    with pytest.raises(MalformedJsonError, match="not JSON"):
        decode(headers, value[:-5])


def test_schema_mismatch_is_reported_with_the_field() -> None:
    headers, value = _message()
    data = orjson.loads(value)
    data["person"]["mobile"] = "12345"
    with pytest.raises(SchemaMismatchError, match=r"person\.mobile"):
        decode(headers, orjson.dumps(data))


def test_all_envelope_errors_share_one_base() -> None:
    for error in (MissingHeaderError, UnknownEventTypeError, MalformedJsonError,
                  SchemaMismatchError):
        assert issubclass(error, EnvelopeError) and issubclass(error, ValueError)


def test_naive_event_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        encode(sample_record(), source="/x", key="k", time=datetime(2022, 6, 1))


def test_derived_event_ids_are_deterministic_and_unambiguous() -> None:
    first = derived_event_id("case", "abc", 1)
    assert first == derived_event_id("case", "abc", 1)
    assert first != derived_event_id("case", "abc", 2)
    assert derived_event_id("ab", "c") != derived_event_id("a", "bc")
    assert len(first) == 36 and first[14] == "5"  # a version-5 UUID
