"""Times in the formats feeds use; naive times are Asia/Shanghai."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.values import InvalidValue
from services.intake.domain.times import SHANGHAI, parse_time

EXPECTED = datetime(2022, 8, 1, 10, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize("text", [
    "2022-08-01 10:00", "2022-08-01 10:00:00", "2022/8/1 10:00", "2022/08/01 10:00",
    "2022-8-1 10:0", "2022.8.1 10:00", "2022年8月1日 10:00", "2022年8月1日10时00分",
    "2022年8月1日 10点00分", "202208011000", "20220801100000", "2022-08-01T10:00:00+08:00",
    "2022-08-01T02:00:00Z", " 2022-08-01  10:00 ", "２０２２－０８－０１　１０：００",
])
def test_common_formats_parse_to_the_same_instant(text):
    assert parse_time(text, cells=False) == EXPECTED


def test_naive_times_are_read_as_shanghai_and_offsets_are_kept():
    assert parse_time("2022-08-01 10:00", cells=False).utcoffset() == timedelta(hours=8)
    aware = parse_time("2022-08-01T10:00:00-05:00", cells=False)
    assert aware.utcoffset() == timedelta(hours=-5)


def test_a_date_alone_is_midnight():
    assert parse_time("2022/8/1", cells=False) == datetime(2022, 8, 1, tzinfo=SHANGHAI)


def test_excel_cells_datetime_date_and_serial_number():
    assert parse_time(datetime(2022, 8, 1, 10, 0), cells=True) == EXPECTED
    assert parse_time(date(2022, 8, 1), cells=True) == datetime(2022, 8, 1, tzinfo=SHANGHAI)
    assert parse_time(44774 + 10 / 24, cells=True) == EXPECTED


@pytest.mark.parametrize(("value", "code"), [
    ("2022-13-01 10:00", "invalid_time"), ("2022-08-01 25:00", "invalid_time"),
    ("next monday", "invalid_time"), ("", "invalid_time"), ("1999-12-31", "invalid_time"),
    (44774.5, "invalid_type"), (["2022-08-01"], "invalid_type"), (None, "invalid_type"),
])
def test_what_is_not_a_time_says_so(value, code):
    with pytest.raises(InvalidValue) as info:
        parse_time(value, cells=False)
    assert info.value.code == code


def test_a_tiny_serial_number_is_not_a_date():
    with pytest.raises(InvalidValue):
        parse_time(3.0, cells=True)


moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31),
                       ).map(lambda d: d.replace(microsecond=0))


@given(moments, st.sampled_from(["%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S",
                                  "%Y年%m月%d日 %H时%M分%S秒", "%Y%m%d%H%M%S"]))
def test_any_time_written_in_an_accepted_format_parses_back(moment, fmt):
    assert parse_time(moment.strftime(fmt), cells=False) == moment.replace(tzinfo=SHANGHAI)


@given(moments)
def test_excel_serial_numbers_round_trip_to_the_second(moment):
    serial = (moment - datetime(1899, 12, 30)) / timedelta(days=1)
    assert parse_time(serial, cells=True) == moment.replace(tzinfo=SHANGHAI)


@given(st.text(max_size=40))
def test_arbitrary_text_parses_or_raises_invalid_value(text):
    try:
        result = parse_time(text, cells=False)
    except InvalidValue as exc:
        assert exc.code == "invalid_time"
    else:
        assert result.tzinfo is not None and 2000 <= result.year <= 2099
        assert result.astimezone(UTC)
