"""Mainland China mobile numbers: 11 digits starting 1[3-9]."""

from __future__ import annotations

import re

from contracts.values.errors import InvalidValue, to_ascii

MOBILE_PATTERN = r"^1[3-9][0-9]{9}$"
_MOBILE = re.compile(MOBILE_PATTERN)
CODE = "invalid_mobile"


def normalize_mobile(raw: str) -> str:
    """Full-width to ASCII, drop spaces and hyphens and a leading +86 / 0086."""
    value = to_ascii(raw).replace("-", "")
    for prefix in ("+86", "0086"):
        if value.startswith(prefix) and len(value) == len(prefix) + 11:
            value = value[len(prefix) :]
    return value


def validate_mobile(raw: str) -> str:
    """Return the normalized mobile number or raise InvalidValue."""
    if _MOBILE.match(raw):
        return raw  # already canonical: the common case on the hot path
    value = normalize_mobile(raw)
    if not (value.isascii() and value.isdigit()):
        raise InvalidValue(CODE, f"mobile number must be digits only, got {value!r}")
    if len(value) != 11:
        raise InvalidValue(CODE, f"mobile number must be 11 digits, got {len(value)}")
    if not _MOBILE.match(value):
        raise InvalidValue(CODE, f"mobile number must start with 13-19, got {value[:2]}")
    return value
