"""Resident ID numbers, mobiles, area codes, person key and masking (contracts.values)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.values import (
    InvalidValue,
    ancestors,
    check_digit,
    county_of,
    covers,
    level_of,
    mask_id_number,
    mask_mobile,
    mask_name,
    parent_of,
    person_key,
    validate_area_code,
    validate_id_number,
    validate_mobile,
)
from tests.unit.contracts.contract_strategies import FULL_WIDTH, area_codes, id_numbers, mobiles

SECRET = b"test-secret"


@given(id_numbers())
def test_every_generated_valid_id_number_passes(number: str) -> None:
    assert validate_id_number(number) == number


@given(id_numbers(), st.integers(0, 17), st.data())
def test_changing_any_one_character_of_a_valid_id_number_fails(
    number: str, position: int, data: st.DataObject
) -> None:
    alphabet = "0123456789X" if position == 17 else "0123456789"
    replacement = data.draw(st.sampled_from([c for c in alphabet if c != number[position]]))
    changed = number[:position] + replacement + number[position + 1 :]
    with pytest.raises(InvalidValue) as err:
        validate_id_number(changed)
    assert err.value.code == "invalid_id_number"


def test_wrong_check_digit_message_names_expected_and_actual() -> None:
    body = "11010519491231002"
    good = check_digit(body)
    bad = "3" if good != "3" else "4"
    with pytest.raises(InvalidValue, match=f"check digit should be {good}, got {bad}"):
        validate_id_number(body + bad)


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("1101051949123100", "must be 18 characters, got 16"),
        ("11010519491231002A", "last character must be a digit or X"),
        ("1101051949A231002X", "first 17 characters"),
        ("99010519491231002X", "no province code 99"),
        ("11010519491332002X", "not a calendar date"),
        ("11010518991231002X", "before 1900"),
    ],
)
def test_invalid_id_numbers_say_what_is_wrong(number: str, message: str) -> None:
    with pytest.raises(InvalidValue, match=message):
        validate_id_number(number)


def test_birth_date_in_the_future_is_refused() -> None:
    tomorrow = date.today() + timedelta(days=1)
    body = f"110105{tomorrow:%Y%m%d}001"
    with pytest.raises(InvalidValue, match="is in the future"):
        validate_id_number(body + check_digit(body))


@given(id_numbers())
def test_id_number_normalization_accepts_spaces_lower_x_and_full_width(number: str) -> None:
    messy = " " + number[:6] + "\u3000" + number[6:17].translate(FULL_WIDTH) + number[17].lower()
    assert validate_id_number(messy) == number


@given(id_numbers(), st.sampled_from(["spaces", "lower", "full_width", "all"]))
def test_person_key_is_stable_across_formatting_variants(number: str, variant: str) -> None:
    formatted = {
        "spaces": f" {number[:6]} {number[6:14]} {number[14:]} ",
        "lower": number.lower(),
        "full_width": number.translate(FULL_WIDTH),
        "all": " " + number[:17].translate(FULL_WIDTH) + " " + number[17].lower(),
    }[variant]
    assert person_key("resident_id", formatted, SECRET) == person_key(
        "resident_id", number, SECRET
    )


@given(id_numbers(), id_numbers())
def test_person_key_differs_across_id_numbers(a: str, b: str) -> None:
    if a != b:
        assert person_key("resident_id", a, SECRET) != person_key("resident_id", b, SECRET)


def test_person_key_depends_on_secret_and_id_type() -> None:
    number = "11010519491231002" + check_digit("11010519491231002")
    key = person_key("resident_id", number, SECRET)
    assert len(key) == 64 and int(key, 16) >= 0
    assert key != person_key("resident_id", number, b"other-secret")
    assert key != person_key("passport", number, SECRET)
    with pytest.raises(ValueError):
        person_key("resident_id", number, b"")


@given(mobiles)
def test_valid_mobiles_pass_and_normalize(mobile: str) -> None:
    assert validate_mobile(mobile) == mobile
    assert validate_mobile(f"+86 {mobile[:3]}-{mobile[3:7]}-{mobile[7:]}") == mobile
    assert validate_mobile(mobile.translate(FULL_WIDTH)) == mobile


@pytest.mark.parametrize(
    ("mobile", "message"),
    [("1381234567", "11 digits, got 10"), ("12812345678", "start with 13-19, got 12"),
     ("1381234567a", "digits only")],
)
def test_invalid_mobiles_say_what_is_wrong(mobile: str, message: str) -> None:
    with pytest.raises(InvalidValue, match=message) as err:
        validate_mobile(mobile)
    assert err.value.code == "invalid_mobile"


@given(area_codes)
def test_valid_area_codes_pass_and_their_county_covers_them(code: str) -> None:
    assert validate_area_code(code) == code
    assert county_of(code) == code[:6]
    assert covers(code, code)
    for ancestor in ancestors(code):
        assert covers(ancestor, code)
        assert not covers(code, ancestor) or ancestor == code


@pytest.mark.parametrize("code", ["13082", "1308261", "990826", "13082610a"])
def test_invalid_area_codes_are_refused(code: str) -> None:
    with pytest.raises(InvalidValue) as err:
        validate_area_code(code)
    assert err.value.code == "invalid_area_code"


def test_area_hierarchy_from_village_to_province() -> None:
    assert ancestors("130826100201") == ["130826100", "130826", "130800", "130000"]
    assert parent_of("130000") is None
    assert level_of("130826100000") == "township"
    assert level_of("130800") == "city"
    assert covers("130800", "130826100201")  # a city-level designation covers its villages
    assert covers("130826100", "130826100000")  # 12-digit township form
    assert not covers("130826100", "130826200001")
    assert not covers("130826", "130827")


def test_masks_hide_the_middle() -> None:
    number = "13082619900101123X"
    assert mask_id_number(number) == "1308**********123X"
    assert mask_mobile("13812345678") == "138****5678"
    assert mask_name("测试") == "测*"
    assert mask_name("测试员") == "测**"
    assert mask_id_number("E1234567") == "E1****67"
