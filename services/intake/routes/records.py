"""``POST /v1/feeds/{feed}/records``: a JSON list of up to 5,000 records, partially accepted."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from contracts.events import IntakeChannel
from services.intake.domain import problems as p
from services.intake.domain.problems import Problem
from services.intake.ports import Candidate
from services.intake.routes.common import AuthorizedFeed, ComponentsDep, answer, read_body, refuse

router = APIRouter()


def _candidate(index: int, record: Any, max_bytes: int) -> Candidate:
    raw = orjson.dumps(record)  # also the rejected payload, so measured once
    if len(raw) > max_bytes:
        return Candidate(index, record, lambda: raw.decode(), Problem(
            p.OVERSIZED, None, f"record has {len(raw)} bytes, at most {max_bytes} are accepted"))
    return Candidate(index, record, lambda: raw.decode())


@router.post("/v1/feeds/{feed}/records", status_code=202)
async def push_records(feed: AuthorizedFeed, request: Request, c: ComponentsDep) -> JSONResponse:
    """Accept the valid records, reject the others (each with index, field, reason, message)."""
    s = c.settings
    body = await read_body(request, c, s.max_body_bytes)
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise refuse(c, "records", 400, p.NOT_JSON, f"the body is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise refuse(c, "records", 422, p.NOT_OBJECT,
                     'the body must be a JSON object {"records": [...]}')
    records = data.get("records")
    if records is None:
        raise refuse(c, "records", 422, p.MISSING_FIELD,
                     'the body must have a "records" list: {"records": [...]}')
    if not isinstance(records, list):
        raise refuse(c, "records", 422, p.INVALID_TYPE, '"records" must be a list')
    if len(records) > s.max_records_per_call:
        raise refuse(c, "records", 413, p.TOO_MANY_RECORDS,
                     f"at most {s.max_records_per_call} records per call, got {len(records)}; "
                     "split the list into several calls")
    candidates = [_candidate(i, r, s.max_record_bytes) for i, r in enumerate(records)]
    result = await c.intake.submit(feed, IntakeChannel.HTTP, candidates)
    return JSONResponse(answer(feed, result, max_errors=s.max_errors_listed), status_code=202)
