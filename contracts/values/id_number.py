"""Resident ID numbers (GB 11643-1999): normalization, ISO 7064 mod 11-2 check digit, birth date."""

from __future__ import annotations

from datetime import date
from operator import mul

from contracts.values.errors import InvalidValue, to_ascii

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
# GB/T 2260 province-level codes (first two digits of every area and ID prefix).
PROVINCE_CODES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "
    "50 51 52 53 54 61 62 63 64 65 71 81 82".split()
)
CODE = "invalid_id_number"


def normalize_id_number(raw: str) -> str:
    """Strip spaces, full-width to ASCII, upper-case (so a trailing x becomes X)."""
    if raw.isascii() and raw.isalnum():
        return raw.upper()
    return to_ascii(raw).upper()


def check_digit(first17: str) -> str:
    """The ISO 7064 mod 11-2 check character for the first 17 digits."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise InvalidValue(CODE, f"need 17 digits to compute a check digit, got {first17!r}")
    total = sum(map(mul, map(int, first17), _WEIGHTS))
    return _CHECK[total % 11]


def birth_date_of(id_number: str) -> date:
    """The birth date encoded in positions 7-14 of a (normalized) resident ID number."""
    digits = id_number[6:14]
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise InvalidValue(CODE, f"birth date {digits} is not a calendar date") from None


def validate_id_number(raw: str, *, today: date | None = None) -> str:
    """Return the normalized ID number or raise InvalidValue saying exactly what is wrong."""
    value = normalize_id_number(raw)
    if len(value) != 18:
        raise InvalidValue(CODE, f"resident ID number must be 18 characters, got {len(value)}")
    body, last = value[:17], value[17]
    if not (body.isascii() and body.isdigit()):
        raise InvalidValue(CODE, "the first 17 characters of a resident ID number must be digits")
    if not (last == "X" or (last.isascii() and last.isdigit())):
        raise InvalidValue(CODE, f"the last character must be a digit or X, got {last!r}")
    if value[:2] not in PROVINCE_CODES:
        raise InvalidValue(CODE, f"area prefix {value[:6]} has no province code {value[:2]}")
    born = birth_date_of(value)
    today = today or date.today()
    if born > today:
        raise InvalidValue(CODE, f"birth date {born.isoformat()} is in the future")
    if born.year < 1900:
        raise InvalidValue(CODE, f"birth date {born.isoformat()} is before 1900")
    expected = check_digit(body)
    if expected != last:
        raise InvalidValue(CODE, f"check digit should be {expected}, got {last}")
    return value


def is_valid_id_number(raw: str) -> bool:
    try:
        validate_id_number(raw)
    except InvalidValue:
        return False
    return True
