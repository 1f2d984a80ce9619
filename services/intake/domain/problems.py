"""Why an input was refused: a reason code (the values of contracts' RejectReason), the field
and a human message. Every domain check reports through this one type."""

from __future__ import annotations

from dataclasses import dataclass

from contracts.values import InvalidValue
from contracts.vocabulary import RejectReason

# The reason codes are contracts.vocabulary's RejectReason (standard library, like this module).
NOT_JSON = RejectReason.NOT_JSON
NOT_OBJECT = RejectReason.NOT_OBJECT
MISSING_FIELD = RejectReason.MISSING_FIELD
UNKNOWN_FIELD = RejectReason.UNKNOWN_FIELD
INVALID_TYPE = RejectReason.INVALID_TYPE
INVALID_VALUE = RejectReason.INVALID_VALUE
INVALID_ID_NUMBER = RejectReason.INVALID_ID_NUMBER
INVALID_MOBILE = RejectReason.INVALID_MOBILE
INVALID_AREA_CODE = RejectReason.INVALID_AREA_CODE
INVALID_TIME = RejectReason.INVALID_TIME
TIME_ORDER = RejectReason.TIME_ORDER
OVERSIZED = RejectReason.OVERSIZED
UNKNOWN_FEED = RejectReason.UNKNOWN_FEED
TOO_MANY_RECORDS = RejectReason.TOO_MANY_RECORDS
UNSUPPORTED_FILE = RejectReason.UNSUPPORTED_FILE
BAD_ENCODING = RejectReason.BAD_ENCODING

REASONS = (
    NOT_JSON, NOT_OBJECT, MISSING_FIELD, UNKNOWN_FIELD, INVALID_TYPE, INVALID_VALUE,
    INVALID_ID_NUMBER, INVALID_MOBILE, INVALID_AREA_CODE, INVALID_TIME, TIME_ORDER, OVERSIZED,
    UNKNOWN_FEED, TOO_MANY_RECORDS, UNSUPPORTED_FILE, BAD_ENCODING,
)


@dataclass(frozen=True, slots=True)
class Problem:
    """One refused input: ``reason`` is a RejectReason value, ``field`` the canonical field."""

    reason: str
    field: str | None
    message: str


class FieldError(InvalidValue):
    """An InvalidValue that already knows its field (raised inside normalization)."""

    def __init__(self, code: str, field: str | None, message: str) -> None:
        super().__init__(code, message)
        self.field = field

    def problem(self) -> Problem:
        return Problem(self.code, self.field, self.message)
