"""Turning a message triage cannot use into an InputRejected event: the reason code and field,
a human message, and the original payload (the rejected topic is restricted)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import orjson
from pydantic import ValidationError

from contracts.envelope import (
    EnvelopeError,
    MalformedJsonError,
    MissingHeaderError,
    UnknownEventTypeError,
    derived_event_id,
)
from contracts.events import InputRejected, IntakeChannel, RejectReason

MAX_PAYLOAD_CHARS = 100_000


@dataclass(frozen=True)
class Problem:
    """Why a message is refused, before it becomes an event."""

    reason: RejectReason
    message: str
    field: str | None = None


def _from_validation(exc: ValidationError) -> Problem:
    error = exc.errors()[0]
    field = ".".join(str(p) for p in error.get("loc", ())) or None
    kind = error.get("type", "")
    text = f"{field or 'value'}: {error.get('msg', 'invalid')}"
    if kind == "missing":
        reason = RejectReason.MISSING_FIELD
    elif kind == "extra_forbidden":
        reason = RejectReason.UNKNOWN_FIELD
    elif kind in ("model_type", "dict_type") and not field:
        reason = RejectReason.NOT_OBJECT
    elif field and "id_number" in field:
        reason = RejectReason.INVALID_ID_NUMBER
    elif field and "mobile" in field:
        reason = RejectReason.INVALID_MOBILE
    elif field and field.endswith("code"):
        reason = RejectReason.INVALID_AREA_CODE
    elif kind.startswith(("datetime", "timezone")):
        reason = RejectReason.INVALID_TIME
    elif "after arrived_at" in text:
        reason = RejectReason.TIME_ORDER
    elif kind.endswith("_type"):
        reason = RejectReason.INVALID_TYPE
    else:
        reason = RejectReason.INVALID_VALUE
    return Problem(reason, text[:2000], field)


def problem_for(exc: Exception) -> Problem:
    """The reason code for an envelope, schema or domain error."""
    if isinstance(exc, MalformedJsonError):
        return Problem(RejectReason.NOT_JSON, str(exc)[:2000])
    if isinstance(exc, UnknownEventTypeError | MissingHeaderError):
        return Problem(RejectReason.INVALID_VALUE, str(exc)[:2000], "ce_type")
    if isinstance(exc, EnvelopeError) and isinstance(exc.__cause__, ValidationError):
        return _from_validation(exc.__cause__)
    if isinstance(exc, ValidationError):
        return _from_validation(exc)
    return Problem(RejectReason.INVALID_VALUE, (str(exc) or type(exc).__name__)[:2000])


def _feed_of(payload: bytes | None) -> str:
    try:
        feed = orjson.loads(payload or b"").get("feed")
    except (orjson.JSONDecodeError, AttributeError):
        return "unknown"
    return feed if isinstance(feed, str) and 0 < len(feed) <= 64 else "unknown"


def rejection(problem: Problem, *, payload: bytes | None, where: tuple[str, int, int],
              received_at: datetime, feed: str | None = None) -> InputRejected:
    """The rejection of the message at (topic, partition, offset): same place, same id."""
    text = (payload or b"").decode("utf-8", "replace")
    return InputRejected(
        rejection_id=derived_event_id("triage.rejected", *where),
        feed=feed or _feed_of(payload),
        channel=IntakeChannel.KAFKA,
        reason=problem.reason,
        field=problem.field[:256] if problem.field else None,
        message=problem.message or "rejected",
        payload=text[:MAX_PAYLOAD_CHARS],
        payload_truncated=len(text) > MAX_PAYLOAD_CHARS,
        received_at=received_at,
    )
