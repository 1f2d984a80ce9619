"""Administrative area codes (GB/T 2260 6-digit, NBS 9/12-digit) and their prefix hierarchy."""

from __future__ import annotations

from contracts.values.errors import InvalidValue, to_ascii
from contracts.values.id_number import PROVINCE_CODES

AREA_CODE_PATTERN = r"^([0-9]{6}|[0-9]{9}|[0-9]{12})$"
CODE = "invalid_area_code"
LEVELS = ("province", "city", "county", "township", "village")


def validate_area_code(raw: str) -> str:
    """Return the code (ASCII, no spaces) or raise InvalidValue."""
    if raw.isascii() and raw.isdigit() and len(raw) in (6, 9, 12) and raw[:2] in PROVINCE_CODES:
        return raw  # already canonical: the common case on the hot path
    value = to_ascii(raw)
    if not (value.isascii() and value.isdigit()):
        raise InvalidValue(CODE, f"area code must be digits only, got {value!r}")
    if len(value) not in (6, 9, 12):
        raise InvalidValue(CODE, f"area code must have 6, 9 or 12 digits, got {len(value)}")
    if value[:2] not in PROVINCE_CODES:
        raise InvalidValue(CODE, f"area code {value} has no province code {value[:2]}")
    return value


def significant_prefix(code: str) -> str:
    """The digits that identify the area: 130800 -> 1308, 130826100000 -> 130826100."""
    if len(code) == 12 and code.endswith("000"):
        code = code[:9]
    if len(code) == 9 and code.endswith("000"):
        code = code[:6]
    if len(code) == 6:
        if code.endswith("0000"):
            return code[:2]
        if code.endswith("00"):
            return code[:4]
    return code


def level_of(code: str) -> str:
    """province, city, county, township or village."""
    return {2: "province", 4: "city", 6: "county", 9: "township", 12: "village"}[
        len(significant_prefix(code))
    ]


def county_of(code: str) -> str:
    """The 6-digit GB/T 2260 code in which the area lies (its first six digits)."""
    return code[:6]


def parent_of(code: str) -> str | None:
    """The enclosing area's canonical code (village->township->county->city->province)."""
    sig = significant_prefix(code)
    if len(sig) == 12:
        return sig[:9]
    if len(sig) == 9:
        return sig[:6]
    if len(sig) == 6:
        return sig[:4] + "00"
    if len(sig) == 4:
        return sig[:2] + "0000"
    return None


def ancestors(code: str) -> list[str]:
    """Enclosing areas from the nearest outwards, e.g. township, county, city, province."""
    out = []
    current = parent_of(code)
    while current is not None:
        out.append(current)
        current = parent_of(current)
    return out


def covers(prefix_code: str, code: str) -> bool:
    """True when ``prefix_code`` designates ``code`` itself or an area that contains it."""
    return significant_prefix(code).startswith(significant_prefix(prefix_code))
