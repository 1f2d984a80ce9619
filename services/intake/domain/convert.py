"""One value of one field, from JSON or a spreadsheet cell, to its normalized form.

JSON gives strings (and integers for codes); cells also give floats, dates and datetimes, so
``cells=True`` accepts what Excel makes of a column (130826.0, a datetime cell, a serial date).
In JSON, integers are accepted for codes, numbers and identifiers, not for names or addresses.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime

from contracts.values import (
    InvalidValue,
    normalize_id_number,
    validate_area_code,
    validate_id_number,
    validate_mobile,
)
from services.intake.domain import choices
from services.intake.domain.countries import country_code
from services.intake.domain.fields import FieldSpec, Kind
from services.intake.domain.problems import INVALID_ID_NUMBER, INVALID_TYPE, INVALID_VALUE
from services.intake.domain.times import parse_time

EXCEL_DIGITS = 15  # Excel keeps 15 significant digits: longer numbers lose their tail


def is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def as_text(value: object, *, cells: bool) -> str:
    """Text of a scalar; numbers only where they cannot be ambiguous."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool) or value is None:
        raise InvalidValue(INVALID_TYPE, f"expected text, got {_kind(value)}")
    if isinstance(value, int):
        return str(value)
    if cells and isinstance(value, float) and value.is_integer():
        return str(int(value))
    raise InvalidValue(INVALID_TYPE, f"expected text, got {_kind(value)}")


def _kind(value: object) -> str:
    names = {bool: "true/false", type(None): "null", dict: "an object", list: "a list",
             float: "a decimal number", datetime: "a date", date: "a date"}
    return names.get(type(value), type(value).__name__)


def _id_number(value: object, id_type: str, *, cells: bool) -> str:
    text = as_text(value, cells=cells)
    if id_type != "resident_id":
        number = normalize_id_number(text)
        if not number or len(number) > 64:
            raise InvalidValue(INVALID_ID_NUMBER, "document number must have 1-64 characters")
        return number
    try:
        return validate_id_number(text)
    except InvalidValue as exc:
        if cells and isinstance(value, float) and len(text) > EXCEL_DIGITS:
            raise InvalidValue(exc.code, f"{exc.message} (Excel stored the number as a numeric "
                               "value and dropped its last digits: format the column as text)"
                               ) from None
        raise


# Zero-width characters pasted in with names are dropped; direction overrides (U+202E shows
# "abc" as "cba") and other invisible format or control characters refuse the value.
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_BREAKS = dict.fromkeys(map(ord, "\t\n\r\v\f\x85\u2028\u2029"), " ")


def clean_text(text: str) -> str:
    """Visible text only: zero-width characters dropped, line breaks as spaces; InvalidValue
    (invalid_value) for control, direction or other format characters, or nothing visible."""
    if text.isprintable():  # the common case: nothing to look at
        return text
    text = text.translate(_ZERO_WIDTH).translate(_BREAKS)
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Cc":
            raise InvalidValue(INVALID_VALUE, f"contains the control character U+{ord(ch):04X}")
        if category == "Cf":
            raise InvalidValue(INVALID_VALUE, f"contains the invisible formatting character "
                               f"U+{ord(ch):04X} ({unicodedata.name(ch, 'unnamed')})")
    text = " ".join(text.split())
    if not any(ch.isprintable() and not ch.isspace() for ch in text):
        raise InvalidValue(INVALID_VALUE, "has no visible character")
    return text


def convert(spec: FieldSpec, value: object, *, cells: bool, id_type: str) -> object:
    """The normalized value (str or aware datetime); raises InvalidValue with a reason code."""
    kind = spec.kind
    if kind is Kind.TIME:
        return parse_time(value, cells=cells)
    if kind is Kind.ID_NUMBER:
        return _id_number(value, id_type, cells=cells)
    if kind is Kind.TEXT and not (cells or spec.numeric or isinstance(value, str)):
        raise InvalidValue(INVALID_TYPE, f"expected text, got {_kind(value)}")
    text = as_text(value, cells=cells)
    if kind is Kind.MOBILE:
        return validate_mobile(text)
    if kind is Kind.AREA_CODE:
        return validate_area_code(text)
    if kind is Kind.COUNTRY:
        return country_code(text)
    if kind is Kind.CHOICE:
        assert spec.choices is not None
        chosen = choices.choose(spec.choices, text)
        if chosen is None:
            allowed = ", ".join(choices.canonical_values(spec.choices))
            raise InvalidValue(INVALID_VALUE, f"{text!r} is not one of {allowed}")
        return chosen
    text = clean_text(text)
    if len(text) > spec.max_len:
        raise InvalidValue(INVALID_VALUE, f"longer than {spec.max_len} characters")
    return text
