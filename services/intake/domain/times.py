"""Times as feeds write them: ISO 8601, 2022-08-01 10:00, 2022/8/1 10:00, 2022年8月1日 10时00分,
20220801103000, Excel datetime cells and Excel serial numbers. Naive times are Asia/Shanghai."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from contracts.values import InvalidValue

SHANGHAI = ZoneInfo("Asia/Shanghai")
EARLIEST_YEAR, LATEST_YEAR = 2000, 2099
_EXCEL_EPOCH = datetime(1899, 12, 30)  # serial 1 = 1900-01-01 (after Excel's 1900 leap-year bug)
_SEPARATED = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:\s*T?\s*(\d{1,2})\s*[:时点]\s*(\d{1,2})\s*(?:[:分]\s*(\d{1,2})(?:\.(\d{1,6}))?\s*秒?)?\s*分?)?$"
)
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:\s*T?\s*(\d{2})(\d{2})(\d{2})?)?$")
EXAMPLE = "2022-08-01 10:00"


def _bad(message: str) -> InvalidValue:
    return InvalidValue("invalid_time", message)


def as_shanghai(value: datetime) -> datetime:
    """Naive -> Asia/Shanghai wall-clock time; aware times keep their offset."""
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        return value.replace(tzinfo=SHANGHAI)
    return value


def _checked(value: datetime) -> datetime:
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise _bad(f"{value:%Y-%m-%d} is out of range ({EARLIEST_YEAR}-{LATEST_YEAR})")
    return as_shanghai(value)


def from_excel_serial(serial: float) -> datetime:
    """An Excel serial day number (days since 1899-12-30, fraction = time of day)."""
    if not 61 <= serial < 2958466:
        raise _bad(f"{serial} is not an Excel date serial number")
    seconds = round(serial * 86400)  # Excel stores binary fractions; round to the second
    return _checked(_EXCEL_EPOCH + timedelta(seconds=seconds))


def _from_parts(parts: tuple[str | None, ...], text: str) -> datetime:
    year, month, day, hour, minute, second, fraction = (*parts, None, None, None, None)[:7]
    try:
        return datetime(
            int(year or 0), int(month or 0), int(day or 0), int(hour or 0), int(minute or 0),
            int(second or 0), int((fraction or "0").ljust(6, "0")),
        )
    except ValueError:
        raise _bad(f"{text!r} is not a valid date and time") from None


def parse_text(raw: str) -> datetime:
    """Parse a time string in any of the accepted formats (raises InvalidValue)."""
    text = " ".join(unicodedata.normalize("NFKC", raw).split())
    if not text:
        raise _bad("empty time")
    for pattern in (_SEPARATED, _COMPACT):
        match = pattern.match(text)
        if match:
            return _checked(_from_parts(match.groups(), text))
    try:
        return _checked(datetime.fromisoformat(text.replace("z", "Z")))
    except ValueError:
        pass
    raise _bad(f"{raw!r} is not a time; write it like {EXAMPLE} or 2022/8/1 10:00")


def parse_time(value: object, *, cells: bool) -> datetime:
    """A time from JSON (strings only) or a spreadsheet cell (also datetime, date, serial)."""
    if isinstance(value, str):
        return parse_text(value)
    if cells:
        if isinstance(value, datetime):
            return _checked(value)
        if isinstance(value, date):
            return _checked(datetime.combine(value, time()))
        if isinstance(value, int | float) and not isinstance(value, bool):
            return from_excel_serial(float(value))
    kind = type(value).__name__
    raise InvalidValue("invalid_type", f"expected a time string like {EXAMPLE}, got {kind}")
