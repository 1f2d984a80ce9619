"""A raw feed message (plain JSON as provincial systems produce it) to candidates: one record
per message, or a ``{"records": [...]}`` batch; anything else becomes a refused candidate."""

from __future__ import annotations

import orjson

from services.intake.domain import problems as p
from services.intake.domain.problems import Problem
from services.intake.handlers import json_payload
from services.intake.ports import Candidate

MAX_MESSAGE_BYTES = 64 * 1024


def _text(value: bytes) -> str:
    return value.decode("utf-8", "replace")


def _refused(value: bytes, reason: str, message: str) -> Candidate:
    return Candidate(None, None, lambda: _text(value), Problem(reason, None, message))


def parse_raw(value: bytes | None, *, max_bytes: int = MAX_MESSAGE_BYTES) -> list[Candidate]:
    """Never raises: malformed input is a candidate with a problem (it goes to rejected)."""
    if not value:
        return [_refused(b"", p.NOT_JSON, "empty message")]
    if len(value) > max_bytes:
        return [_refused(value, p.OVERSIZED,
                         f"message has {len(value)} bytes, at most {max_bytes} are accepted")]
    try:
        data = orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        return [_refused(value, p.NOT_JSON, f"not JSON: {exc}")]
    if isinstance(data, dict) and isinstance(data.get("records"), list):
        return [_candidate(i, record, None) for i, record in enumerate(data["records"])]
    return [_candidate(None, data, value)]


def _candidate(position: int | None, record: object, raw: bytes | None) -> Candidate:
    """Not-an-object records are refused by the handler (same rule for every channel)."""
    payload = (lambda: _text(raw)) if raw is not None else json_payload(record)
    return Candidate(position, record, payload)
