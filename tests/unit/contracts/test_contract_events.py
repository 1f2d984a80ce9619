"""Event models: names, topics, PII rules, time handling and validation messages."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from pydantic import ValidationError

from contracts.events import ALL_EVENTS, EVENT_TYPES, IdType, Person, RecordReceived, model_for
from contracts.samples import sample_person, sample_record, synthetic_id_number
from contracts.topics import DEFAULT
from contracts.types import SHANGHAI

TYPE_NAME = re.compile(r"^cn\.paicha\.(intake|triage|tasking|reporting)\.[a-z-]+\.[a-z-]+\.v\d+$")
PII_FIELDS = {"person", "id_number", "mobile", "address", "name", "payload"}


def _fields_deep(model: type) -> set[str]:
    schema = model.model_json_schema()  # type: ignore[attr-defined]
    names = set(schema.get("properties", {}))
    for definition in schema.get("$defs", {}).values():
        names |= set(definition.get("properties", {}))
    return names


@pytest.mark.parametrize("model", ALL_EVENTS, ids=lambda m: m.__name__)
def test_every_event_type_is_named_versioned_and_routed(model: type) -> None:
    assert TYPE_NAME.match(model.ce_type)
    assert model_for(model.ce_type) is model
    topic = DEFAULT.for_event(model)
    assert model.ce_type in topic.event_types
    assert topic.key == model.key_field
    assert model.ce_type.split(".")[2] == topic.name.split(".")[1]  # owning service


@pytest.mark.parametrize("model", ALL_EVENTS, ids=lambda m: m.__name__)
def test_pii_travels_only_on_restricted_topics(model: type) -> None:
    if not DEFAULT.for_event(model).restricted:
        assert not (_fields_deep(model) & PII_FIELDS), model.__name__


def test_lookup_knows_every_event_and_nothing_else() -> None:
    assert len(EVENT_TYPES) == len(ALL_EVENTS) == 22
    with pytest.raises(KeyError):
        model_for("cn.paicha.intake.record.received.v9")


def test_naive_times_are_read_as_shanghai_time() -> None:
    data = sample_record().model_dump(mode="json")
    data["received_at"] = "2022-06-01T09:00:00"
    record = RecordReceived.model_validate(data)
    assert record.received_at.utcoffset() == timedelta(hours=8)
    assert record.received_at == datetime(2022, 6, 1, 1, 0, tzinfo=SHANGHAI) + timedelta(hours=8)
    assert record.model_dump(mode="json")["received_at"] == "2022-06-01T09:00:00+08:00"


def test_aware_times_keep_their_offset() -> None:
    data = sample_record().model_dump(mode="json")
    data["received_at"] = "2022-06-01T01:00:00Z"
    assert RecordReceived.model_validate(data).received_at.utcoffset() == timedelta(0)


def test_events_are_frozen_and_closed() -> None:
    record = sample_record()
    with pytest.raises(ValidationError):
        record.record_id = "other"  # type: ignore[misc]
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        RecordReceived.model_validate({**record.model_dump(), "surprise": 1})


def test_resident_id_check_digit_error_reaches_the_model() -> None:
    number = synthetic_id_number(7)
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    with pytest.raises(ValidationError, match=f"check digit should be {number[17]}"):
        Person(name="测试", id_type=IdType.RESIDENT_ID, id_number=wrong)


def test_passport_numbers_are_not_checked_as_resident_ids() -> None:
    person = Person(name="测试", id_type=IdType.PASSPORT, id_number=" e1234567 ")
    assert person.id_number == "E1234567"


def test_feed_details_must_match_the_record_feed() -> None:
    data = sample_record().model_dump()
    data["feed"] = "assist"
    with pytest.raises(ValidationError, match="details are for feed bigdata"):
        RecordReceived.model_validate(data)


def test_origin_and_arrival_may_be_unknown() -> None:
    data = sample_record().model_dump()
    data.update(origin=None, arrived_at=None, departed_at=None)
    record = RecordReceived.model_validate(data)
    assert record.origin is None and record.arrived_at is None


def test_unknown_feed_detail_is_refused() -> None:
    data = sample_record().model_dump(mode="json")
    data["details"] = {"feed": "rumour", "signal": "x"}
    with pytest.raises(ValidationError, match="does not match any of the expected tags"):
        RecordReceived.model_validate(data)


def test_person_mobile_is_normalized() -> None:
    person = sample_person(3).model_copy()
    assert Person.model_validate({**person.model_dump(), "mobile": "+86 199-0000-0003"}).mobile == (
        "19900000003"
    )


def test_zone_times_become_fixed_offsets_even_in_a_dst_gap() -> None:
    gap = datetime(1991, 4, 14, 2, 0, tzinfo=SHANGHAI)  # China observed DST until 1991
    record = sample_record().model_copy()
    data = {**record.model_dump(), "received_at": gap}
    received = RecordReceived.model_validate(data).received_at
    assert received.utcoffset() == timedelta(hours=8)
    assert RecordReceived.model_validate_json(RecordReceived.model_validate(data).model_dump_json()
                                              ).received_at == received
