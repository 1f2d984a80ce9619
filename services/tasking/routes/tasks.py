"""Tasks for workers and supervisors: list (sorted by deadline, paged), read, start, outcomes,
test results. Another grid's task is 404, as if it did not exist."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from contracts.events import Measure, Outcome, TestResult
from paicha_runtime.http import ProblemError
from services.tasking.domain import transitions as tr
from services.tasking.domain.model import Outcome as DomainOutcome
from services.tasking.domain.model import Status, Task
from services.tasking.domain.model import TestResult as DomainResult
from services.tasking.handlers import NotFound
from services.tasking.routes.common import Caller, Comps, task_view, test_view

router = APIRouter(prefix="/v1")


class OutcomeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: Outcome
    measure_applied: Measure | None = None
    note: Annotated[str, Field(max_length=2000)] | None = None
    request_id: Annotated[str, Field(min_length=1, max_length=128)]


class ResultIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    result: TestResult
    request_id: Annotated[str, Field(min_length=1, max_length=128)]
    sampled_at: datetime | None = None


@router.get("/me")
async def me(who: Caller) -> dict[str, Any]:
    return who.me()


def _cursor(task: Task) -> str:
    return base64.urlsafe_b64encode(f"{task.due_at.isoformat()}|{task.task_id}".encode()).decode()


def _after(cursor: str) -> tuple[datetime, str]:
    try:
        due, _, task_id = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        return datetime.fromisoformat(due), task_id
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProblemError(422, "invalid_request", "cursor is not one this API gave") from exc


@router.get("/tasks")
async def list_tasks(
    who: Caller, comps: Comps,
    grid: str | None = None,
    status: Status | None = None,
    due_before: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> dict[str, Any]:
    """Sorted by due_at (then task id); default: every open task the token may see. The store
    answers equality only; the range and the order are applied here."""
    query = who.query()
    if grid is not None:
        query["grid_id"] = grid
    if status is not None:
        query["status"] = status.value
    else:
        query["open"] = True
    if due_before is not None and due_before.tzinfo is None:
        raise ProblemError(422, "invalid_request", "due_before needs a timezone offset")
    tasks = [t for t in await comps.store.find(query) if who.sees(t)]
    if due_before is not None:
        tasks = [t for t in tasks if t.due_at < due_before]
    tasks.sort(key=lambda t: (t.due_at, t.task_id))
    if cursor:
        mark = _after(cursor)
        tasks = [t for t in tasks if (t.due_at, t.task_id) > mark]
    page = tasks[:limit]
    more = len(tasks) > limit
    return {"tasks": [task_view(t) for t in page],
            "next_cursor": _cursor(page[-1]) if more and page else None}


async def _visible(comps: Comps, who: Caller, task_id: str) -> Task:
    loaded = await comps.store.get(task_id)
    if loaded is None or not who.sees(loaded.task):
        raise ProblemError(404, "not_found", f"no task {task_id}")
    return loaded.task


@router.get("/tasks/{task_id}")
async def get_task(task_id: str, who: Caller, comps: Comps) -> dict[str, Any]:
    return task_view(await _visible(comps, who, task_id))


async def _change(comps: Comps, who: Caller, task_id: str,
                  mutate: Callable[[Task], list[Any]]) -> Task:
    def guarded(task: Task) -> list[Any]:
        if not who.sees(task):
            raise NotFound(task_id)
        return mutate(task)

    try:
        return await comps.tasking.change(task_id, guarded)
    except NotFound:
        raise ProblemError(404, "not_found", f"no task {task_id}") from None
    except tr.TransitionError as exc:
        raise ProblemError(409, "invalid_transition", str(exc)) from None



@router.post("/tasks/{task_id}/start")
async def start(task_id: str, who: Caller, comps: Comps) -> dict[str, Any]:
    task = await _change(comps, who, task_id,
                         lambda t: tr.start(t, who.account, comps.clock.now()))
    return task_view(task)


@router.post("/tasks/{task_id}/outcomes")
async def outcome(task_id: str, body: OutcomeIn, who: Caller, comps: Comps) -> dict[str, Any]:
    def apply(task: Task) -> list[Any]:
        return tr.record_outcome(
            task, DomainOutcome(body.outcome.value),
            measure_applied=body.measure_applied.value if body.measure_applied else None,
            by=who.account, note=body.note, request_id=body.request_id,
            now=comps.clock.now(), policy=comps.policy)

    return task_view(await _change(comps, who, task_id, apply))


@router.post("/tests/{test_task_id}/results")
async def test_result(test_task_id: str, body: ResultIn, who: Caller, comps: Comps
                      ) -> dict[str, Any]:
    task_id = test_task_id.rpartition("-d")[0]
    if body.sampled_at is not None and body.sampled_at.tzinfo is None:
        raise ProblemError(422, "invalid_request", "sampled_at needs a timezone offset")

    def apply(task: Task) -> list[Any]:
        test = task.test(test_task_id)
        if test is None:
            raise NotFound(test_task_id)
        return tr.record_test_result(task, test, DomainResult(body.result.value),
                                     sampled_at=body.sampled_at, by=who.account,
                                     request_id=body.request_id, now=comps.clock.now())

    if not task_id:
        raise ProblemError(404, "not_found", f"no test {test_task_id}")
    try:
        task = await _change(comps, who, task_id, apply)
    except ProblemError as exc:
        if exc.status == 404:
            raise ProblemError(404, "not_found", f"no test {test_task_id}") from None
        raise
    test = task.test(test_task_id)
    assert test is not None
    return test_view(test)
