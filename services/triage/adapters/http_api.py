"""The risk-area admin API: PUT a designation (validated, then published as an event that the
worker itself consumes), GET what was in force at a time, GET the downgrades kept for review.

Writes need a bearer token with the risk-area admin scope; the downgrades (case ids, person
keys) need it or the cases-read scope; the designations themselves carry no PII and are open.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, Protocol

from fastapi import APIRouter, Body, Depends, FastAPI, Header, Path, Query
from prometheus_client import CollectorRegistry
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic_core import PydanticCustomError

from contracts.envelope import derived_event_id
from contracts.events import RiskAreaDesignated
from contracts.types import AwareDatetime, as_aware
from contracts.values import InvalidValue, validate_area_code
from paicha_runtime.http import (
    ProblemError,
    ReadinessCheck,
    install_health,
    install_problem_handlers,
)

from ..auth import Authenticator, Principal, Scope
from .mapping import designation_event, registry_from

EXAMPLE_TIME = "2022-07-20T00:00:00+08:00"


def _iso_time(value: object) -> object:
    """Only an ISO 8601 string with a timezone: pydantic alone would read 0 as 1970."""
    problem = PydanticCustomError(
        "iso_time", "times must be ISO 8601 with a timezone, e.g. {example}",
        {"example": EXAMPLE_TIME})
    if not isinstance(value, str):
        raise problem
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise problem from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise problem
    return value


def _clean_text(value: object) -> object:
    if isinstance(value, str) and any(unicodedata.category(ch) == "Cc" for ch in value):
        raise PydanticCustomError("control_characters",
                                  "text must not contain control characters (NUL, newline, ...)")
    return value


StrictTime = Annotated[AwareDatetime, BeforeValidator(_iso_time)]
CleanText = Annotated[str, Field(min_length=1, max_length=512), BeforeValidator(_clean_text)]
_SPECIFIC = {"iso_time": "invalid_time", "control_characters": "invalid_text"}


class RiskAreaPort(Protocol):
    """What the API needs from the worker."""

    async def publish(self, event: RiskAreaDesignated, event_id: str) -> None: ...
    def designations(self) -> list[RiskAreaDesignated]: ...
    def downgrades(self) -> list[dict[str, Any]]: ...


class DesignationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    level: Literal["high", "medium", "low"]
    area_name: CleanText
    effective_from: StrictTime
    effective_to: StrictTime | None = None
    notice_id: CleanText


def parse_designation(body: object) -> DesignationIn:
    """The body, or a 422 problem naming the first wrong field (a specific code for a time
    that is not ISO 8601 with a timezone and for text with control characters)."""
    try:
        return DesignationIn.model_validate(body)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False)
        details = [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
                   for e in errors]
        first = errors[0]
        code = _SPECIFIC.get(first["type"], "invalid_request")
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise ProblemError(422, code, f"{where}: {first['msg']}", details=details) from None


def bearer(auth: Authenticator, *any_of: Scope) -> Callable[..., Principal]:
    """A route dependency: 401 without a known token, 403 for a token without the scope."""
    needed = " or ".join(any_of)

    def principal(authorization: Annotated[str | None, Header()] = None) -> Principal:
        scheme, _, token = (authorization or "").partition(" ")
        found = auth.identify(token.strip()) if scheme.lower() == "bearer" else None
        if found is None:
            code = "missing_token" if not authorization else "invalid_token"
            raise ProblemError(401, code, "a valid bearer token is required "
                               "(Authorization: Bearer <token>)",
                               headers={"WWW-Authenticate": 'Bearer realm="paicha-triage"'})
        if not found.may(*any_of):
            raise ProblemError(403, "forbidden_scope",
                               f"the token of {found.owner} lacks the scope {needed}")
        return found

    return principal


def _view(e: RiskAreaDesignated) -> dict[str, Any]:
    return e.model_dump(mode="json", exclude={"designated_at"})


def designation_id(e: RiskAreaDesignated) -> str:
    """The same designation PUT twice gets the same event id (a retried PUT is harmless)."""
    return derived_event_id("triage.risk-area.designated", e.area_code, e.notice_id,
                            e.level.value, e.area_name, e.effective_from.isoformat(),
                            e.effective_to.isoformat() if e.effective_to else "")


def risk_area_router(port: RiskAreaPort, auth: Authenticator) -> APIRouter:
    router = APIRouter(prefix="/v1/risk-areas", tags=["risk areas"])
    # Defaults, not Annotated aliases: with postponed annotations FastAPI resolves names in
    # the module, and these dependencies exist only in this closure.
    admin = Depends(bearer(auth, Scope.RISK_AREAS_ADMIN))
    reviewer = Depends(bearer(auth, Scope.RISK_AREAS_ADMIN, Scope.CASES_READ))

    # The body is validated in the route (so a wrong time or text gets its own code); the
    # OpenAPI document still shows its schema.
    body_doc = {"requestBody": {"required": True, "content": {
        "application/json": {"schema": DesignationIn.model_json_schema()}}}}

    @router.put("/{area_code}", status_code=202, openapi_extra=body_doc)
    async def designate(area_code: Annotated[str, Path(max_length=32)],
                        raw: Annotated[Any, Body()], who: Principal = admin) -> dict[str, str]:
        body = parse_designation(raw)
        try:
            code = validate_area_code(area_code)
        except InvalidValue as exc:
            raise ProblemError(422, "invalid_area_code", str(exc)) from None
        try:
            event = designation_event(area_code=code, area_name=body.area_name,
                                      level=body.level, effective_from=body.effective_from,
                                      effective_to=body.effective_to, notice_id=body.notice_id,
                                      designated_at=datetime.now(UTC),
                                      designated_by=who.owner)
        except (ValidationError, ValueError) as exc:
            raise ProblemError(422, "invalid_designation", str(exc)[:500]) from None
        event_id = designation_id(event)
        await port.publish(event, event_id)
        return {"status": "accepted", "event_id": event_id, "area_code": code,
                "notice_id": event.notice_id}

    @router.get("")
    async def in_force(as_of: Annotated[datetime | None, Query()] = None) -> dict[str, Any]:
        when = as_aware(as_of) if as_of is not None else datetime.now(UTC)
        events = port.designations()
        by_key = {(e.area_code, e.notice_id): e for e in events}
        found = [by_key[(d.area_code, d.notice_id)]
                 for d in registry_from(events).in_force(when)]
        return {"as_of": when.isoformat(), "count": len(found),
                "designations": [_view(e) for e in found]}

    @router.get("/downgrades")
    async def downgrades(_: Principal = reviewer) -> dict[str, Any]:
        found = port.downgrades()
        return {"count": len(found), "downgrades": found}

    @router.get("/{area_code}/history")
    async def history(area_code: Annotated[str, Path(max_length=32)]) -> dict[str, Any]:
        events = [e for e in port.designations() if e.area_code == area_code]
        segments = registry_from(events).history(area_code) if events else ()
        return {"area_code": area_code,
                "notices": [_view(e) for e in sorted(events, key=lambda e: e.effective_from)],
                "segments": [{"notice_id": s.designation.notice_id,
                              "level": s.designation.level.value, "from": s.start.isoformat(),
                              "to": s.end.isoformat() if s.end else None} for s in segments]}

    return router


def build_api(port: RiskAreaPort, checks: dict[str, ReadinessCheck],
              metrics: CollectorRegistry, auth: Authenticator) -> FastAPI:
    api = FastAPI(title="paicha triage", version="1")
    install_problem_handlers(api)
    install_health(api, checks, metrics)
    api.include_router(risk_area_router(port, auth))
    return api
