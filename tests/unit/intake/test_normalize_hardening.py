"""Issue 11 rules on one record: places by name, origins abroad, no arrivals from the future,
names with something visible in them, codes of the right level."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from contracts.events import RecordReceived
from services.intake.adapters.places import load_places
from services.intake.domain.normalize import Normalized, Problem, map_keys, normalize
from tests.unit.intake.builders import record

PLACES = load_places()
NOW = datetime(2022, 8, 1, 12, 0, tzinfo=UTC)


def run(raw: dict[str, object], feed: str = "bigdata", **kwargs: object) -> Normalized | Problem:
    fields = map_keys(feed, raw)
    assert not isinstance(fields, Problem), fields
    return normalize(feed, fields, places=PLACES, now=NOW, **kwargs)  # type: ignore[arg-type]


def event(result: Normalized | Problem) -> RecordReceived:
    assert isinstance(result, Normalized), result
    return RecordReceived.model_validate({**result.shape, "record_id": "r", "received_at": NOW,
                                          "person_key": "0" * 64})


def problem(result: Normalized | Problem) -> tuple[str, str | None, str]:
    assert isinstance(result, Problem), result
    return result.reason, result.field, result.message


def test_an_origin_given_only_by_name_gets_its_code():
    e = event(run(record(origin_area_code=None, origin_area_name="北京市朝阳区")))
    assert e.origin is not None and e.origin.area_code == "110105"
    assert e.origin.area_name == "北京市朝阳区" and e.origin_country is None


def test_an_ambiguous_or_unknown_origin_name_is_refused_naming_the_value():
    reason, field, message = problem(run(record(origin_area_code=None, origin_area_name="朝阳区")))
    assert (reason, field) == ("invalid_area_code", "origin_area_name")
    assert "'朝阳区' is ambiguous" in message and "110105" in message and "220104" in message
    reason, field, message = problem(run(record(origin_area_code=None,
                                                origin_area_name="测试市测试区")))
    assert (reason, field) == ("invalid_area_code", "origin_area_name")
    assert "'测试市测试区'" in message


def test_a_code_alone_gets_the_directory_name():
    e = event(run(record(origin_area_name=None, origin_area_code="130826")))
    assert e.origin is not None and e.origin.area_name == "河北省承德市丰宁满族自治县"


def test_township_and_village_names_resolve_in_the_county():
    e = event(run(record(current_county_code=None, current_township_code="大阁镇",
                         current_village_code="北关村"), default_county="130826"))
    assert (e.current.county_code, e.current.township_code, e.current.village_code) == (
        "130826", "130826100", "130826100200")
    e = event(run(record(current_county_code="丰宁满族自治县", current_township_code="大滩镇",
                         current_village_code="北关村")))
    assert e.current.village_code == "130826101200"


def test_a_village_name_without_its_township_is_refused_when_it_repeats():
    reason, field, message = problem(run(record(
        current_township_code=None, current_village_code="北关村"), default_county="130826"))
    assert (reason, field) == ("invalid_area_code", "current_village_code")
    assert "several townships" in message


def test_a_township_name_outside_a_gazetteer_county_is_refused():
    reason, field, message = problem(run(record(current_county_code="110105",
                                                current_township_code="望京街道",
                                                current_village_code=None)))
    assert (reason, field) == ("invalid_area_code", "current_township_code")
    assert "gazetteer" in message


@pytest.mark.parametrize(("raw", "code"), [
    ({"origin_country": "美国"}, "US"),
    ({"origin_country": "jp"}, "JP"),
    ({"来源国家/地区": "韩国"}, "KR"),
    ({"origin_area_name": "日本东京"}, "JP"),  # a country in the place column
])
def test_an_arrival_from_abroad_fills_origin_country_and_leaves_origin_null(raw, code):
    e = event(run(record(**{"origin_area_code": None, "origin_area_name": None, **raw})))
    assert e.origin is None and e.origin_country == code


def test_a_country_and_an_area_code_together_are_refused():
    reason, field, _ = problem(run(record(origin_country="US")))
    assert (reason, field) == ("invalid_value", "origin_country")


@pytest.mark.parametrize("ahead", [timedelta(days=2), timedelta(days=365), timedelta(hours=1)])
def test_an_arrival_in_the_future_is_time_order(ahead):
    arrived = (NOW + ahead).astimezone().strftime("%Y-%m-%dT%H:%M:%S%z")
    reason, field, message = problem(run(record(departed_at=None, arrived_at=arrived)))
    assert (reason, field) == ("time_order", "arrived_at") and "future" in message


def test_a_clock_skew_of_a_few_minutes_is_allowed():
    arrived = (NOW + timedelta(minutes=3)).isoformat()
    assert isinstance(run(record(departed_at=None, arrived_at=arrived)), Normalized)


def test_a_departure_in_the_future_is_time_order():
    later = (NOW + timedelta(days=3)).isoformat()
    reason, field, _ = problem(run(record(departed_at=later, arrived_at=later)))
    assert (reason, field) == ("time_order", "departed_at")


@pytest.mark.parametrize("name", [
    "\x00", "\x00\x00", "\x1b", "\u200b", "\u200b\u200c\ufeff", "\u202e", "\u2066\u2069",
    "\u200e", "\x7f",
])
def test_a_name_with_no_visible_character_is_refused(name):
    reason, field, _ = problem(run(record(name=name)))
    assert (reason, field) == ("invalid_value", "name")


@pytest.mark.parametrize("name", ["测试\x1b[31m一", "测试\u202e一", "测\x00试"])
def test_escape_sequences_and_direction_overrides_inside_a_name_are_refused(name):
    reason, field, message = problem(run(record(name=name)))
    assert (reason, field) == ("invalid_value", "name") and "U+" in message


def test_zero_width_characters_around_a_name_are_dropped():
    e = event(run(record(name="\u200b测试一\ufeff")))
    assert e.person.name == "测试一"


@pytest.mark.parametrize(("field", "code"), [
    ("current_township_code", "130826"), ("current_township_code", "130826100201"),
    ("current_village_code", "130826100"), ("current_county_code", "130826100"),
])
def test_a_code_of_the_wrong_level_is_refused(field, code):
    raw = record(**{field: code})
    if field == "current_county_code":
        raw.pop("current_township_code"), raw.pop("current_village_code")
    reason, got, message = problem(run(raw))
    assert (reason, got) == ("invalid_area_code", field) and "digits" in message


def test_a_twelve_digit_township_code_ending_in_zeros_is_the_township():
    e = event(run(record(current_township_code="130826100000")))
    assert e.current.township_code == "130826100"
