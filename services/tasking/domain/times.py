"""Deadline arithmetic: Asia/Shanghai calendar days, test days (day 1 = arrival day) and the
end of a measure period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local_day(moment: datetime) -> date:
    """The Asia/Shanghai calendar day of an aware moment."""
    if moment.tzinfo is None:
        raise ValueError("times must be timezone-aware")
    return moment.astimezone(SHANGHAI).date()


def day_start(day: date) -> datetime:
    """Midnight at the start of an Asia/Shanghai day (aware)."""
    return datetime.combine(day, time(0), tzinfo=SHANGHAI)


@dataclass(frozen=True)
class TestSlot:
    __test__ = False
    day: int
    test_date: date
    result_due_at: datetime


def schedule_slots(arrived_at: datetime, test_days: list[int], result_due: timedelta
               ) -> list[TestSlot]:
    """One slot per policy test day: day 1 is the arrival day; the result is due ``result_due``
    after the start of that day (24 h = the end of the day)."""
    first = local_day(arrived_at)
    slots = []
    for day in sorted(set(test_days)):
        test_date = first + timedelta(days=day - 1)
        slots.append(TestSlot(day, test_date, day_start(test_date) + result_due))
    return slots


def measure_end(arrived_at: datetime, days: int) -> datetime:
    """End of a measure lasting ``days`` days counted from the arrival day (day 1)."""
    return day_start(local_day(arrived_at) + timedelta(days=max(days, 0)))
