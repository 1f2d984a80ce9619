"""Each kind of bad message gets the reject reason and field a reader of the rejected topic
expects, and the same message always gets the same rejection id."""

from __future__ import annotations

import orjson
import pytest

from contracts.envelope import decode_envelope
from services.triage.adapters.rejections import problem_for, rejection

from .builders import T0, kafka_message, record


def problem_of(value: bytes, headers=None):
    good = kafka_message(record(1))
    with pytest.raises(ValueError) as caught:
        decode_envelope(headers or good["headers"], value, good["key"])
    return problem_for(caught.value)


def mutated(**changes) -> bytes:
    body = orjson.loads(kafka_message(record(1))["value"])
    for path, value in changes.items():
        target = body
        *parents, leaf = path.split("__")
        for parent in parents:
            target = target[parent]
        if value is KeyError:
            del target[leaf]
        else:
            target[leaf] = value
    return orjson.dumps(body)


@pytest.mark.parametrize(("value", "reason", "field"), [
    (b"{oops", "not_json", None),
    (b"[1, 2]", "not_object", None),
    (mutated(record_id=KeyError), "missing_field", "record_id"),
    (mutated(colour="red"), "unknown_field", "colour"),
    (mutated(person__id_number="130826199001010010"), "invalid_id_number", "person.id_number"),
    (mutated(origin__area_code="12345"), "invalid_area_code", "origin.area_code"),
    (mutated(received_at="yesterday"), "invalid_time", "received_at"),
    (mutated(feed="fax"), "invalid_value", "feed"),
])
def test_schema_problems_map_to_reject_reasons(value, reason, field):
    problem = problem_of(value)
    assert (problem.reason.value, problem.field) == (reason, field)


def test_unknown_event_type_is_an_invalid_ce_type():
    problem = problem_of(b"{}", headers=[("ce_type", b"cn.example.nothing.v1"),
                                         ("ce_specversion", b"1.0")])
    assert (problem.reason.value, problem.field) == ("invalid_value", "ce_type")


def test_a_rejection_keeps_the_payload_and_is_stable_per_message():
    payload = "测试".encode() * 60_000
    problem = problem_for(ValueError("no good"))
    first = rejection(problem, payload=payload, where=("records", 2, 17), received_at=T0)
    again = rejection(problem, payload=payload, where=("records", 2, 17), received_at=T0)
    other = rejection(problem, payload=payload, where=("records", 2, 18), received_at=T0)
    assert first.rejection_id == again.rejection_id != other.rejection_id
    assert first.payload_truncated and len(first.payload) == 100_000
    assert first.feed == "unknown" and first.message == "no good"
