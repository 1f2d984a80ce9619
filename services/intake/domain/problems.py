"""Why an input was refused: a reason code (the values of contracts' RejectReason), the field
and a human message. Every domain check reports through this one type."""

from __future__ import annotations

from dataclasses import dataclass

from contracts.values import InvalidValue

# The reason codes, spelled as contracts.events.RejectReason values (a unit test keeps them equal;
# the domain stays free of pydantic).
NOT_JSON = "not_json"
NOT_OBJECT = "not_object"
MISSING_FIELD = "missing_field"
UNKNOWN_FIELD = "unknown_field"
INVALID_TYPE = "invalid_type"
INVALID_VALUE = "invalid_value"
INVALID_ID_NUMBER = "invalid_id_number"
INVALID_MOBILE = "invalid_mobile"
INVALID_AREA_CODE = "invalid_area_code"
INVALID_TIME = "invalid_time"
TIME_ORDER = "time_order"
OVERSIZED = "oversized"
UNKNOWN_FEED = "unknown_feed"
TOO_MANY_RECORDS = "too_many_records"
UNSUPPORTED_FILE = "unsupported_file"
BAD_ENCODING = "bad_encoding"

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
