"""Pydantic annotated types shared by every event model (times, IDs, mobiles, area codes, keys)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints

from contracts.values import (
    AREA_CODE_PATTERN,
    MOBILE_PATTERN,
    PERSON_KEY_PATTERN,
    validate_area_code,
    validate_id_number,
    validate_mobile,
)
from contracts.values.errors import to_ascii

SHANGHAI = ZoneInfo("Asia/Shanghai")


def as_aware(value: datetime) -> datetime:
    """Naive times are read as Asia/Shanghai wall-clock time; aware times keep their instant.

    Zone-based times become fixed offsets (what goes on the wire), so an event compares
    equal to itself after a round trip even for times in a DST gap (China 1986-1991).
    """
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        value = value.replace(tzinfo=SHANGHAI)
    if isinstance(value.tzinfo, ZoneInfo):
        offset = value.utcoffset()
        assert offset is not None
        return value.replace(tzinfo=timezone(offset))
    return value


def _str_only(func: Any) -> Any:
    def check(value: Any) -> Any:
        return func(value) if isinstance(value, str) else value

    return check


AwareDatetime = Annotated[
    datetime,
    AfterValidator(as_aware),
    Field(description="ISO 8601 with offset; naive input is read as Asia/Shanghai"),
]
# Constraints come before the validator so they land in the JSON Schema; the validator
# (normalize + check) still runs first.
ResidentIdNumber = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9]{17}[0-9X]$"),
    BeforeValidator(_str_only(validate_id_number)),
]
"""18-character resident ID number with a valid GB 11643-1999 check digit (normalized)."""

IdNumber = Annotated[str, StringConstraints(min_length=1), BeforeValidator(_str_only(to_ascii))]
"""Any identity document number (passport etc.): ASCII, spaces removed."""

MobileNumber = Annotated[
    str, StringConstraints(pattern=MOBILE_PATTERN), BeforeValidator(_str_only(validate_mobile))
]
AreaCode = Annotated[
    str,
    StringConstraints(pattern=AREA_CODE_PATTERN),
    BeforeValidator(_str_only(validate_area_code)),
]
PersonKey = Annotated[
    str,
    StringConstraints(pattern=PERSON_KEY_PATTERN),
    Field(description="HMAC-SHA256 (hex) of the normalized ID type and number"),
]
NonEmptyStr = Annotated[str, StringConstraints(min_length=1, max_length=512)]
CountryCode = Annotated[
    str,
    StringConstraints(pattern=r"^(C[A-MO-Z]|[ABD-Z][A-Z])$"),
    Field(description="ISO 3166-1 alpha-2 code of a country other than China (CN)"),
]
