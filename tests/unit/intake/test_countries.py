"""Arrivals from abroad: ISO 3166-1 codes and Chinese country names (CLDR via Babel)."""

from __future__ import annotations

from pathlib import Path

import pytest

from contracts.values import InvalidValue
from services.intake import countries_gen
from services.intake.domain.countries import country_code
from services.intake.domain.country_names import COUNTRY_NAMES


@pytest.mark.parametrize(("text", "code"), [
    ("美国", "US"), ("us", "US"), ("ＪＰ", "JP"), ("韩国", "KR"), ("英国", "GB"),
    ("香港", "HK"), ("中国香港特别行政区", "HK"), ("日本东京", "JP"),
])
def test_codes_and_chinese_names_give_the_iso_code(text, code):
    assert country_code(text) == code


@pytest.mark.parametrize("text", ["CN", "中国", "火星", "XX"])
def test_china_and_unknown_names_are_refused(text):
    with pytest.raises(InvalidValue):
        country_code(text)


def test_the_shipped_table_is_what_babel_generates():
    shipped = Path(countries_gen.TARGET).read_text(encoding="utf-8")
    table = countries_gen.table()
    assert set(table) == set(COUNTRY_NAMES) and 240 <= len(table) <= 255
    assert shipped.split("COUNTRY_NAMES", 1)[1] == countries_gen.render().split(
        "COUNTRY_NAMES", 1)[1]
