"""Calendar days in the county's time zone (Asia/Shanghai) and how the briefing names them."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Asia/Shanghai")
_MONTHS = ("一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月",
           "十一月", "十二月")


def local_day(moment: datetime) -> date:
    """The Asia/Shanghai calendar day of an aware moment."""
    return moment.astimezone(LOCAL).date()


def local_hour(moment: datetime) -> int:
    return moment.astimezone(LOCAL).hour


def day_start(day: date) -> datetime:
    """Local midnight at the start of ``day`` (aware)."""
    return datetime.combine(day, time(0), LOCAL)


def next_midnight(now: datetime) -> datetime:
    """The next local midnight strictly after ``now``."""
    return day_start(local_day(now) + timedelta(days=1))


def since_label(start: date) -> str:
    """How the briefing names the campaign start: a whole month in the seed's words (七月以来),
    else month and day (7月15日以来)."""
    if start.day == 1:
        return _MONTHS[start.month - 1]
    return f"{start.month}月{start.day}日"
