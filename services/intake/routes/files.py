"""``POST /v1/feeds/{feed}/files``: a CSV or XLSX list with the usual Chinese column headers.

Rows go to the handler in chunks of the per-call limit; errors name the Excel row and column.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import JSONResponse

from contracts.events import IntakeChannel
from services.intake.adapters.files import FileRefused, read_table
from services.intake.domain import problems as p
from services.intake.domain.aliases import field_for
from services.intake.domain.fields import field_names
from services.intake.domain.problems import Problem
from services.intake.domain.table import Header, data_rows, find_header, row_fields, row_payload
from services.intake.ports import Candidate, SubmitResult, Unavailable
from services.intake.routes.common import AuthorizedFeed, ComponentsDep, answer, refuse

router = APIRouter()
_STATUS: dict[str, int] = {p.BAD_ENCODING: 400, p.UNSUPPORTED_FILE: 415}


def _candidate(header: Header, row: int, cells: Sequence[object],
               preset: dict[str, str]) -> Candidate:
    fields = row_fields(header, cells)
    if preset and not isinstance(fields, Problem):
        fields = {**preset, **fields}  # a row's own value wins over the upload's

    def payload() -> str:
        return orjson.dumps(row_payload(header, cells)).decode()

    if isinstance(fields, Problem):
        return Candidate(row, None, payload, fields, mapped=True)
    return Candidate(row, fields, payload, mapped=True)


def _merge(total: SubmitResult, part: SubmitResult) -> None:
    total.received += part.received
    total.accepted += part.accepted
    total.republished += part.republished
    total.duplicates += part.duplicates
    total.rejected += part.rejected


def parse_presets(c: ComponentsDep, feed: str, items: list[str]) -> dict[str, str]:
    """``列名=值`` (or ``field=value``) pairs given once for the whole upload."""
    allowed, out = field_names(feed), {}
    for item in items:
        key, sep, value = item.replace("＝", "=").partition("=")
        field = key.strip() if key.strip() in allowed else field_for(key)
        if not sep or not value.strip():
            raise refuse(c, "files", 422, p.INVALID_VALUE, f"set {item!r}: write it as "
                         "列名=值, e.g. 排查单位=大阁镇排查组")
        if field is None or field not in allowed:
            raise refuse(c, "files", 422, p.UNKNOWN_FIELD,
                         f"set {item!r}: {key.strip()!r} is not a field of the {feed} feed")
        out[field] = value.strip()
    return out


@router.post("/v1/feeds/{feed}/files", status_code=202)
async def upload_file(feed: AuthorizedFeed, file: Annotated[UploadFile, File()],
                      c: ComponentsDep,
                      set_: Annotated[list[str] | None, Form(alias="set")] = None
                      ) -> JSONResponse:
    """Accept the valid rows of the first sheet; each rejected row is listed with its number.
    ``set`` form fields (``排查单位=…``) give a value for every row that has none."""
    s = c.settings
    preset = parse_presets(c, feed, set_ or [])
    if file.size is not None and file.size > s.max_file_bytes:
        raise refuse(c, "files", 413, p.OVERSIZED, f"the file is larger than {s.max_file_bytes} "
                     "bytes; split it")
    data = await file.read()
    try:  # parsing is CPU work: keep the event loop answering other calls
        sheet = await asyncio.to_thread(read_table, data, file.filename)
    except FileRefused as exc:
        raise refuse(c, "files", _STATUS[exc.reason], exc.reason, exc.message) from None
    header = find_header(sheet.rows, feed, default_county=s.default_county_code,
                         provided=preset)
    if isinstance(header, Problem):
        raise refuse(c, "files", 422, header.reason, header.message)
    rows = list(data_rows(sheet.rows, header))
    if not rows:
        raise refuse(c, "files", 422, "no_data_rows", f"the file has no data rows (nothing "
                     f"below the header in row {header.row})")
    total = SubmitResult()
    for start in range(0, len(rows), s.max_records_per_call):
        chunk = [_candidate(header, n, cells, preset)
                 for n, cells in rows[start:start + s.max_records_per_call]]
        try:
            _merge(total, await c.intake.submit(feed, IntakeChannel.FILE, chunk))
        except Unavailable as exc:
            raise refuse(c, "files", 503, "unavailable", f"{exc.dependency} is unavailable; rows "
                         f"before row {chunk[0].position} were accepted. Upload the file again "
                         "later: rows already accepted are recognized as duplicates",
                         headers={"Retry-After": str(s.retry_after_s)}) from exc
    errors: list[dict[str, Any]] = [
        {"row": r.position, "column": header.column_of(r.field), "field": r.field,
         "reason": r.reason, "message": r.message} for r in total.rejected
    ]
    body = answer(feed, total, max_errors=s.max_errors_listed, position="row", errors=errors)
    body["file"] = {"name": file.filename, "format": sheet.format, "encoding": sheet.encoding,
                    "header_row": header.row, "rows": len(rows),
                    "columns": {n: f for n, f in zip(header.names, header.fields, strict=True)
                                if f}, "ignored_columns": header.ignored, "set": preset}
    return JSONResponse(body, status_code=202)
