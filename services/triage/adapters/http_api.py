"""The risk-area admin API: PUT a designation (validated, then published as an event that the
worker itself consumes), GET what was in force at a time, GET the downgrades kept for review."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal, Protocol

from fastapi import APIRouter, FastAPI, Path, Query
from prometheus_client import CollectorRegistry
from pydantic import BaseModel, ConfigDict, Field, ValidationError

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

from .mapping import designation_event, registry_from


class RiskAreaPort(Protocol):
    """What the API needs from the worker."""

    async def publish(self, event: RiskAreaDesignated, event_id: str) -> None: ...
    def designations(self) -> list[RiskAreaDesignated]: ...
    def downgrades(self) -> list[dict[str, Any]]: ...


class DesignationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    level: Literal["high", "medium", "low"]
    area_name: Annotated[str, Field(min_length=1, max_length=512)]
    effective_from: AwareDatetime
    effective_to: AwareDatetime | None = None
    notice_id: Annotated[str, Field(min_length=1, max_length=512)]


def _view(e: RiskAreaDesignated) -> dict[str, Any]:
    return e.model_dump(mode="json", exclude={"designated_at"})


def designation_id(e: RiskAreaDesignated) -> str:
    """The same designation PUT twice gets the same event id (a retried PUT is harmless)."""
    return derived_event_id("triage.risk-area.designated", e.area_code, e.notice_id,
                            e.level.value, e.area_name, e.effective_from.isoformat(),
                            e.effective_to.isoformat() if e.effective_to else "")


def risk_area_router(port: RiskAreaPort) -> APIRouter:
    router = APIRouter(prefix="/v1/risk-areas", tags=["risk areas"])

    @router.put("/{area_code}", status_code=202)
    async def designate(area_code: Annotated[str, Path(max_length=32)],
                        body: DesignationIn) -> dict[str, str]:
        try:
            code = validate_area_code(area_code)
        except InvalidValue as exc:
            raise ProblemError(422, "invalid_area_code", str(exc)) from None
        try:
            event = designation_event(area_code=code, area_name=body.area_name,
                                      level=body.level, effective_from=body.effective_from,
                                      effective_to=body.effective_to, notice_id=body.notice_id,
                                      designated_at=datetime.now(UTC))
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
    async def downgrades() -> dict[str, Any]:
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
              metrics: CollectorRegistry) -> FastAPI:
    api = FastAPI(title="paicha triage", version="1")
    install_problem_handlers(api)
    install_health(api, checks, metrics)
    api.include_router(risk_area_router(port))
    return api
