"""Shared route pieces: the components, the caller (bearer token -> Principal), the task view."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Request

from paicha_runtime.http import ProblemError
from services.tasking.auth import Principal, Scope, admin_matches, hash_token, principal_from_doc
from services.tasking.domain.model import Task, TestTask

if TYPE_CHECKING:
    from services.tasking.bootstrap import Components


def components(request: Request) -> Components:
    return request.app.state.components  # type: ignore[no-any-return]


Comps = Annotated["Components", Depends(components)]


async def caller(request: Request) -> Principal:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ProblemError(401, "unauthenticated", "send Authorization: Bearer <token>",
                           headers={"WWW-Authenticate": "Bearer"})
    comps = components(request)
    token = token.strip()
    if admin_matches(token, comps.settings.admin_token_hash):
        return Principal(Scope.ADMIN, display_name="admin")
    doc = await comps.store.token(hash_token(token))
    if doc is None:
        raise ProblemError(401, "unauthenticated", "unknown or revoked token",
                           headers={"WWW-Authenticate": "Bearer"})
    return principal_from_doc(doc)


Caller = Annotated[Principal, Depends(caller)]


def require_admin(who: Principal) -> None:
    if who.scope != Scope.ADMIN:
        raise ProblemError(403, "forbidden", "only the admin token may do this")


async def admin_caller(request: Request) -> Principal:
    """The caller, who must hold the admin token: checked before the body is read, so a token
    without the right answers 403 whatever it sent."""
    who = await caller(request)
    require_admin(who)
    return who


AdminCaller = Annotated[Principal, Depends(admin_caller)]


def test_view(test: TestTask) -> dict[str, Any]:
    return {"test_task_id": test.test_task_id, "day": test.day,
            "test_date": test.test_date.isoformat(),
            "result_due_at": test.result_due_at.isoformat(), "result": test.result,
            "sampled_at": test.sampled_at.isoformat() if test.sampled_at else None,
            "recorded_at": test.recorded_at.isoformat() if test.recorded_at else None,
            "overdue": test.overdue}


def task_view(task: Task) -> dict[str, Any]:
    """The Task object of the API (docs/tasking.md); ``person`` is null until the contact
    details arrived."""
    c = task.contact
    person = None if c is None else {"name": c.name, "id_type": c.id_type,
                                     "id_number": c.id_number, "mobile": c.mobile}
    return {
        "task_id": task.task_id, "case_id": task.case_id, "status": task.status.value,
        "tier": task.tier.value, "grid_id": task.grid_id, "county_code": task.county_code,
        "township_code": task.township_code, "village_code": task.village_code,
        "person": person, "address": c.address if c else None, "category": task.category,
        "risk_level": task.risk_level, "measure": task.measure,
        "due_at": task.due_at.isoformat(), "attempt": task.attempt,
        "last_outcome": task.last_outcome, "measure_applied": task.measure_applied,
        "assigned_at": task.assigned_at.isoformat(),
        "closed_at": task.closed_at.isoformat() if task.closed_at else None,
        "pool_reason": task.pool_reason, "resolved": task.resolved,
        "tests": [test_view(t) for t in task.tests],
    }
