"""Test days in Asia/Shanghai: day 1 is the arrival day, results are due at its end."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.tasking.domain.times import SHANGHAI, local_day, measure_end, schedule_slots


def test_an_arrival_late_in_the_utc_day_is_already_the_next_shanghai_day() -> None:
    arrived = datetime(2022, 6, 1, 17, 30, tzinfo=UTC)  # 01:30 on 2 June in Shanghai
    slots = schedule_slots(arrived, [1, 3], timedelta(hours=24))
    assert [(s.day, s.test_date) for s in slots] == [(1, date(2022, 6, 2)), (3, date(2022, 6, 4))]
    assert slots[0].result_due_at == datetime(2022, 6, 3, 0, 0, tzinfo=SHANGHAI)
    assert slots[0].result_due_at == datetime(2022, 6, 2, 16, 0, tzinfo=UTC)


def test_ten_day_close_contact_schedule_and_its_measure_end() -> None:
    arrived = datetime(2022, 6, 1, 9, 0, tzinfo=SHANGHAI)
    slots = schedule_slots(arrived, [10, 1, 2, 3, 5, 7, 7], timedelta(hours=24))
    assert [s.day for s in slots] == [1, 2, 3, 5, 7, 10]
    assert slots[-1].test_date == date(2022, 6, 10)
    assert measure_end(arrived, 10) == datetime(2022, 6, 11, tzinfo=SHANGHAI)
    assert slots[-1].result_due_at == measure_end(arrived, 10)


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        local_day(datetime(2022, 6, 1))


@given(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1),
                    timezones=st.just(UTC)), st.integers(1, 30))
def test_each_result_is_due_at_the_end_of_its_own_shanghai_day(arrived: datetime, day: int
                                                                ) -> None:
    (slot,) = schedule_slots(arrived, [day], timedelta(hours=24))
    assert (slot.test_date - local_day(arrived)).days == day - 1
    assert local_day(slot.result_due_at - timedelta(microseconds=1)) == slot.test_date
    assert local_day(slot.result_due_at) == slot.test_date + timedelta(days=1)
