"""What both feed routes share: the components, bearer-token auth per feed, bounded body
reading, refusals as JSON problems, and the 202 answer's shape."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Header, Request

from paicha_runtime.http import ProblemError
from services.intake.bootstrap import Components
from services.intake.domain.fields import FEEDS
from services.intake.ports import SubmitResult


def components(request: Request) -> Components:
    app_components: Components = request.app.state.components
    return app_components


ComponentsDep = Annotated[Components, Depends(components)]


def refuse(c: Components, route: str, status: int, code: str, message: str, *,
           headers: dict[str, str] | None = None, details: Any = None) -> ProblemError:
    c.metrics.calls_refused.labels(route, code).inc()
    return ProblemError(status, code, message, headers=headers, details=details)


def authorized_feed(request: Request, feed: str, c: ComponentsDep,
                    authorization: Annotated[str | None, Header()] = None) -> str:
    """401 without a valid token, 404 for an unknown feed, 403 for another feed's token."""
    route = request.url.path.rsplit("/", 1)[-1]
    scheme, _, token = (authorization or "").partition(" ")
    principal = c.auth.identify(token.strip()) if scheme.lower() == "bearer" else None
    if principal is None:
        code = "missing_token" if not authorization else "invalid_token"
        raise refuse(c, route, 401, code, "a valid bearer token is required "
                     "(Authorization: Bearer <feed token>)",
                     headers={"WWW-Authenticate": 'Bearer realm="paicha-intake"'})
    if feed not in FEEDS:
        raise refuse(c, route, 404, "unknown_feed",
                     f"unknown feed {feed[:64]!r}; feeds are {', '.join(FEEDS)}")
    if not principal.may_push(feed):
        raise refuse(c, route, 403, "forbidden_feed",
                     f"this token belongs to the {principal.owner} feed and may not push to {feed}")
    return feed


AuthorizedFeed = Annotated[str, Depends(authorized_feed)]


async def read_body(request: Request, c: Components, limit: int) -> bytes:
    """The body, refusing (413) past ``limit`` bytes without reading it all into memory."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise refuse(c, "records", 413, "oversized", f"the body is larger than {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise refuse(c, "records", 413, "oversized", f"the body is larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


_DUPLICATES = {"index": "duplicate_indexes", "row": "duplicate_rows"}


def answer(feed: str, result: SubmitResult, *, max_errors: int, position: str = "index",
           errors: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The 202 body: counts, then each rejected record (capped) and duplicate positions."""
    listed = errors if errors is not None else [
        {position: r.position, "field": r.field, "reason": r.reason, "message": r.message}
        for r in result.rejected
    ]
    return {
        "feed": feed,
        "received": result.received,
        "accepted": result.accepted,
        "duplicates": len(result.duplicates),
        "rejected": len(result.rejected),
        "errors": listed[:max_errors],
        "errors_truncated": len(listed) > max_errors,
        _DUPLICATES[position]: result.duplicates[:max_errors],
    }
