"""Domain rules: a record from any feed to the RecordReceived shape, or the first problem."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from contracts.events import RecordReceived
from services.intake.domain import problems as p
from services.intake.domain.normalize import Normalized, Problem, map_keys, normalize
from tests.unit.intake.builders import FEEDS, id_number, record


def run(feed: str, raw: dict[str, object], **kwargs: object) -> Normalized | Problem:
    fields = map_keys(feed, raw)
    if isinstance(fields, Problem):
        return fields
    return normalize(feed, fields, **kwargs)  # type: ignore[arg-type]


def problem_of(feed: str, raw: dict[str, object], **kwargs: object) -> Problem:
    result = run(feed, raw, **kwargs)
    assert isinstance(result, Problem), result
    return result


@pytest.mark.parametrize("feed", FEEDS)
def test_a_valid_record_of_each_feed_builds_a_record_received_event(feed):
    result = run(feed, record(feed))
    assert isinstance(result, Normalized)
    event = RecordReceived.model_validate({
        **result.shape, "record_id": "r", "received_at": datetime.now().astimezone(),
        "person_key": "0" * 64})
    assert event.details.feed == feed
    assert event.person.name == "测试二"
    assert event.arrived_at.isoformat() == "2022-08-01T10:00:00+08:00"


def test_values_are_normalized():
    raw = record(id_number=" " + id_number(7).translate(str.maketrans("0123", "０１２３")),
                 mobile="+86 199-0000-0001", exposure="密接", signal="警踪",
                 arrived_at="2022/8/1 9:05", origin_area_code=" 110105 ")
    result = run("bigdata", raw)
    assert isinstance(result, Normalized)
    assert result.shape["person"]["id_number"] == id_number(7)
    assert result.shape["person"]["mobile"] == "19900000001"
    assert result.shape["exposure"] == "close_contact"
    assert result.shape["details"]["signal"] == "police_track"
    assert result.shape["arrived_at"].strftime("%Y-%m-%d %H:%M %z") == "2022-08-01 09:05 +0800"


def test_chinese_and_camel_case_keys_are_accepted_in_json():
    raw = record()
    raw["姓名"] = raw.pop("name")
    raw["idNumber"] = raw.pop("id_number")
    raw["到达时间"] = raw.pop("arrived_at")
    assert isinstance(run("bigdata", raw), Normalized)


@pytest.mark.parametrize(("raw", "reason", "field"), [
    (record(name=None), p.MISSING_FIELD, "name"),
    (record(arrived_at="  "), p.MISSING_FIELD, "arrived_at"),
    (record(signal=None), p.MISSING_FIELD, "signal"),
    (record(source_record_id=None), p.MISSING_FIELD, "source_record_id"),
    (record(shoe_size="42"), p.UNKNOWN_FIELD, "shoe_size"),
    (record(request_id="XC-1"), p.UNKNOWN_FIELD, "request_id"),  # an assist field on bigdata
    (record(name=["测试一"]), p.INVALID_TYPE, "name"),
    (record(name=True), p.INVALID_TYPE, "name"),
    (record(name=5), p.INVALID_TYPE, "name"),
    (record(current_address={"text": "x"}), p.INVALID_TYPE, "current_address"),
    (record(arrived_at=1659319200), p.INVALID_TYPE, "arrived_at"),
    (record(mobile=13.9), p.INVALID_TYPE, "mobile"),
    (record(signal="卫星"), p.INVALID_VALUE, "signal"),
    (record(exposure="maybe"), p.INVALID_VALUE, "exposure"),
    (record(name="测" * 65), p.INVALID_VALUE, "name"),
    ({**record(), "feed": "assist"}, p.INVALID_VALUE, "feed"),
    (record(id_number="130826199001010011"), p.INVALID_ID_NUMBER, "id_number"),
    (record(id_number="13082619900101"), p.INVALID_ID_NUMBER, "id_number"),
    (record(mobile="12345678901"), p.INVALID_MOBILE, "mobile"),
    (record(mobile="1390000"), p.INVALID_MOBILE, "mobile"),
    (record(origin_area_code="1101"), p.INVALID_AREA_CODE, "origin_area_code"),
    (record(origin_area_code="990105"), p.INVALID_AREA_CODE, "origin_area_code"),
    (record(current_township_code="130827100"), p.INVALID_AREA_CODE, "current_township_code"),
    (record(arrived_at="yesterday"), p.INVALID_TIME, "arrived_at"),
    (record(arrived_at="2022-02-30 10:00"), p.INVALID_TIME, "arrived_at"),
    (record(departed_at="1899-12-31"), p.INVALID_TIME, "departed_at"),
    (record(departed_at="2022-08-02 10:00"), p.TIME_ORDER, "departed_at"),
])
def test_each_domain_reason_code_names_the_field(raw, reason, field):
    problem = problem_of("bigdata", raw)
    assert (problem.reason, problem.field) == (reason, field)
    assert problem.message


def test_the_wrong_check_digit_is_explained():
    problem = problem_of("bigdata", record(id_number=id_number(1)[:-1] + "0"))
    assert "check digit should be" in problem.message


def test_a_time_order_message_shows_both_times():
    problem = problem_of("bigdata", record(departed_at="2022-08-02 10:00"))
    assert "2022-08-02 10:00" in problem.message and "2022-08-01 10:00" in problem.message


def test_the_same_field_given_twice_must_agree():
    raw = record()
    raw["身份证号"] = id_number(99)
    assert problem_of("bigdata", raw).reason == p.INVALID_VALUE
    raw["身份证号"] = raw["id_number"]
    assert isinstance(run("bigdata", raw), Normalized)


def test_passport_numbers_are_not_checked_as_resident_ids():
    result = run("bigdata", record(id_type="护照", id_number="e 1234 5678"))
    assert isinstance(result, Normalized)
    assert (result.id_type, result.id_number) == ("passport", "E12345678")


def test_current_county_comes_from_the_township_or_the_configured_default():
    raw = record(current_county_code=None)
    result = run("bigdata", raw)
    assert isinstance(result, Normalized) and result.shape["current"]["county_code"] == "130826"
    bare = record(current_county_code=None, current_township_code=None,
                  current_village_code=None)
    assert problem_of("bigdata", bare).field == "current_county_code"
    result = run("bigdata", bare, default_county="130826")
    assert isinstance(result, Normalized) and result.shape["current"]["county_code"] == "130826"


def test_integers_are_accepted_for_codes_and_identifiers():
    raw = record(source_record_id=12345, mobile=19900000001, origin_area_code=110105)
    result = run("bigdata", raw)
    assert isinstance(result, Normalized)
    assert result.source_record_id == "12345"
    assert result.shape["origin"]["area_code"] == "110105"


def test_defaults_fill_id_type_and_exposure():
    result = run("bigdata", record(id_type=None, exposure=None))
    assert isinstance(result, Normalized)
    assert result.shape["person"]["id_type"] == "resident_id"
    assert result.shape["exposure"] == "none"


json_scalars = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
                | st.text(max_size=30))
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                max_size=3),
    max_leaves=5)
WIDE = str.maketrans("0123456789X", "０１２３４５６７８９ｘ")


@given(st.dictionaries(st.sampled_from([*sorted(record("contacts")), "x", "姓名", "feed"]),
                       json_values, max_size=12), st.sampled_from(FEEDS))
def test_any_json_object_normalizes_or_yields_one_problem(raw, feed):
    result = run(feed, raw)
    assert isinstance(result, Normalized | Problem)
    if isinstance(result, Problem):
        assert result.reason in p.REASONS and result.message


@given(st.dictionaries(st.sampled_from(sorted(record("assist"))), json_values, max_size=5))
def test_valid_records_with_some_fields_replaced_never_crash(overrides):
    assert isinstance(run("assist", record("assist", **overrides)), Normalized | Problem)


@given(st.integers(min_value=0, max_value=999), st.dates(min_value=date(1930, 1, 1),
                                                         max_value=date(2020, 12, 31)),
       st.sampled_from(["", " ", "\u3000"]), st.booleans())
def test_any_valid_id_number_is_accepted_in_any_spacing_and_width(seq, born, pad, wide):
    number = id_number(seq, born=born)
    written = number.translate(WIDE) if wide else number
    result = run("bigdata", record(id_number=pad + written[:6] + pad + written[6:] + pad))
    assert isinstance(result, Normalized) and result.id_number == number


@given(st.integers(min_value=0, max_value=999), st.sampled_from("0123456789X"))
def test_a_wrong_check_digit_is_always_an_invalid_id_number(seq, last):
    number = id_number(seq)
    assume(last != number[-1])
    problem = problem_of("bigdata", record(id_number=number[:-1] + last))
    assert problem.reason == p.INVALID_ID_NUMBER
