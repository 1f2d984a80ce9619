"""Record ids are stable: same feed and source id -> same id; a row without a source id gets
one from its content that survives reformatting but not a different trip."""

from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from contracts.envelope import derived_event_id
from services.intake.domain.normalize import Normalized, map_keys, normalize
from services.intake.events import record_id
from tests.unit.intake.builders import record


def row(**overrides: object) -> Normalized:
    raw = record(source_record_id=None, **overrides)
    fields = map_keys("bigdata", raw)
    assert isinstance(fields, dict)
    result = normalize("bigdata", fields, cells=True)
    assert isinstance(result, Normalized), result
    return result


def test_record_id_is_a_uuid5_of_feed_and_source_id():
    rid = record_id("assist", "XC-1")
    assert uuid.UUID(rid).version == 5
    assert rid == derived_event_id("intake.record", "assist", "XC-1") == record_id("assist", "XC-1")
    assert rid != record_id("bigdata", "XC-1")
    assert rid != record_id("assist", "XC-2")


@given(st.text(min_size=1, max_size=100), st.sampled_from(["bigdata", "assist", "contacts"]))
def test_record_ids_are_deterministic_for_any_source_id(source, feed):
    assert record_id(feed, source) == record_id(feed, source)


def test_a_file_row_without_a_source_id_gets_a_derived_one():
    first = row()
    assert first.source_id_derived and first.source_record_id.startswith("row-")
    assert len(first.source_record_id) == 36


def test_the_derived_id_ignores_formatting_and_corrections_of_contact_details():
    first = row()
    reformatted = row(arrived_at="2022/8/1 10:00", mobile="199 0000 0009", name="测试九",
                      current_address="测试镇测试村2号", id_number=" " + first.id_number + " ")
    assert reformatted.source_record_id == first.source_record_id


def test_the_derived_id_changes_with_the_trip():
    first = row()
    assert row(arrived_at="2022-08-02 10:00").source_record_id != first.source_record_id
    assert row(origin_area_code="310101").source_record_id != first.source_record_id


def test_an_aware_and_a_naive_time_of_the_same_instant_give_the_same_id():
    assert row(arrived_at="2022-08-01T02:00:00Z").source_record_id == row().source_record_id


def test_json_records_must_carry_their_source_id():
    fields = map_keys("bigdata", record(source_record_id=None))
    assert isinstance(fields, dict)
    result = normalize("bigdata", fields)
    assert not isinstance(result, Normalized) and result.reason == "missing_field"
