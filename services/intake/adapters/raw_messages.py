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


def parse_raw(value: bytes | None, *, max_bytes: int = MAX_MESSAGE_BYTES,
              max_message_bytes: int = 16 * 1024 * 1024,
              max_records: int = 5000) -> list[Candidate]:
    """Never raises: malformed input is a candidate with a problem (it goes to rejected).

    A single record is limited to ``max_bytes``; a ``{"records": [...]}`` batch to
    ``max_message_bytes`` as a whole and ``max_bytes`` per record (a record too large is
    refused alone), and to ``max_records`` records."""
    if not value:
        return [_refused(b"", p.NOT_JSON, "empty message")]
    if len(value) > max_message_bytes:
        return [_refused(value, p.OVERSIZED, f"message has {len(value)} bytes, at most "
                         f"{max_message_bytes} are accepted")]
    try:
        data = orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        return [_refused(value, p.NOT_JSON, f"not JSON: {exc}")]
    if isinstance(data, dict) and isinstance(data.get("records"), list):
        records = data["records"]
        if len(records) > max_records:
            return [_refused(value, p.TOO_MANY_RECORDS, f"message has {len(records)} records, "
                             f"at most {max_records} are accepted; split it")]
        return [_batch_candidate(i, record, max_bytes) for i, record in enumerate(records)]
    if len(value) > max_bytes:
        return [_refused(value, p.OVERSIZED,
                         f"message has {len(value)} bytes, at most {max_bytes} are accepted")]
    return [_candidate(None, data, value)]


def _batch_candidate(position: int, record: object, max_bytes: int) -> Candidate:
    raw = orjson.dumps(record)
    if len(raw) > max_bytes:
        return Candidate(position, record, lambda: raw.decode(), Problem(
            p.OVERSIZED, None, f"record has {len(raw)} bytes, at most {max_bytes} are accepted"))
    return _candidate(position, record, None)


def _candidate(position: int | None, record: object, raw: bytes | None) -> Candidate:
    """Not-an-object records are refused by the handler (same rule for every channel)."""
    payload = (lambda: _text(raw)) if raw is not None else json_payload(record)
    return Candidate(position, record, payload)
