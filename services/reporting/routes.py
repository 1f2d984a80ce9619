"""Report routes: JSON, the Chinese briefing, CSV/XLSX exports, the HTML day view; admin
routes to close a day out and to check a rebuild against the live view."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response

from paicha_runtime.http import ProblemError
from services.reporting.adapters import exports, page
from services.reporting.adapters.replay import replay
from services.reporting.auth import Scope
from services.reporting.bootstrap import Components
from services.reporting.compare import differences
from services.reporting.domain.days import local_day
from services.reporting.domain.snapshot import take

router = APIRouter()


def components(request: Request) -> Components:
    found: Components = request.app.state.components
    return found


def _token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _require(scope: Scope) -> Any:
    def check(request: Request) -> None:
        c = components(request)
        if c.auth.allows(_token(request), scope):
            return
        token = _token(request)
        if token is None:
            raise ProblemError(401, "unauthorized", "a bearer token is required",
                               headers={"WWW-Authenticate": "Bearer"})
        if not c.auth.knows(token):
            raise ProblemError(401, "unauthorized", "unknown or revoked token",
                               headers={"WWW-Authenticate": "Bearer"})
        raise ProblemError(403, "forbidden", f"this token may not {scope} reports")
    return Depends(check)


Comps = Annotated[Components, Depends(components)]
DateQuery = Annotated[date | None, Query(description="Asia/Shanghai day, default today")]


def _day(c: Components, value: date | None) -> date:
    return value or local_day(c.reporting.clock())


def _report(c: Components, value: date | None, fmt: str) -> dict[str, Any]:
    started = time.perf_counter()
    report = c.reporting.report(_day(c, value))
    c.metrics.report_seconds.labels(fmt).observe(time.perf_counter() - started)
    return report


@router.get("/v1/reports/daily", dependencies=[_require("read")])
async def daily_json(c: Comps, date: DateQuery = None) -> JSONResponse:
    return JSONResponse(_report(c, date, "json"))


@router.get("/v1/reports/daily.txt", dependencies=[_require("read")])
async def daily_text(c: Comps, date: DateQuery = None) -> PlainTextResponse:
    return PlainTextResponse("\n".join(_report(c, date, "txt")["briefing"]) + "\n")


def _attachment(report: dict[str, Any], ext: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="paicha-daily-{report["date"]}.{ext}"'}


@router.get("/v1/reports/daily.csv", dependencies=[_require("read")])
async def daily_csv(c: Comps, date: DateQuery = None) -> Response:
    report = _report(c, date, "csv")
    return Response(exports.to_csv(report), media_type="text/csv; charset=utf-8",
                    headers=_attachment(report, "csv"))


@router.get("/v1/reports/daily.xlsx", dependencies=[_require("read")])
async def daily_xlsx(c: Comps, date: DateQuery = None) -> Response:
    report = _report(c, date, "xlsx")
    return Response(exports.to_xlsx(report), headers=_attachment(report, "xlsx"), media_type=(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))


@router.get("/reports/daily", dependencies=[_require("read")], include_in_schema=False)
async def daily_page(c: Comps, date: DateQuery = None) -> HTMLResponse:
    return HTMLResponse(page.render(_report(c, date, "html")))


@router.get("/v1/reports/closeouts/{day}", dependencies=[_require("read")])
async def closeout_ledger(c: Comps, day: date) -> JSONResponse:
    """The close-out of a day: every record of the day, verified or carried over with the
    reason (record ids only)."""
    doc = await c.store.closeout(day)
    if doc is None:
        raise ProblemError(404, "not_closed", f"{day} has not been closed out")
    doc.pop("_id", None)
    doc["closed_at"] = _iso(doc.get("closed_at"))
    return JSONResponse({"date": day.isoformat(), **doc})


def _iso(value: Any) -> Any:
    return value.astimezone(UTC).isoformat() if isinstance(value, datetime) else value


@router.post("/v1/reports/daily/close", dependencies=[_require("admin")])
async def close_day(c: Comps, date: Annotated[date, Query()]) -> JSONResponse:
    """Close a past day out now (idempotent: a closed day answers `already_closed`)."""
    if date >= _day(c, None):
        raise ProblemError(409, "day_not_over", f"{date} is not over yet (Asia/Shanghai)")
    closed = await c.reporting.close_day(date)
    return JSONResponse({"date": date.isoformat(), "result": "closed" if closed.newly
                         else "already_closed", "event_id": closed.event_id})


@router.post("/v1/reports/rebuild", dependencies=[_require("admin")])
async def rebuild(c: Comps) -> JSONResponse:
    """Replay the topics from the start into a fresh view and compare it with the live one,
    figure by figure (after the live consumer has passed the same offsets)."""
    view, ends = await replay(c.settings.kafka, c.consumed_topics)
    deadline = time.monotonic() + 60
    while any(c.consumer.positions.get(tp, 0) < end for tp, end in ends.items() if end):
        if time.monotonic() > deadline:
            raise ProblemError(503, "live_behind", "the live view has not caught up yet")
        await _pause()
    result = differences(c.reporting.snapshot(fresh=True), take(view))
    result["events_replayed"] = len(view.seen)
    return JSONResponse(result)


async def _pause() -> None:
    import asyncio

    await asyncio.sleep(0.2)
