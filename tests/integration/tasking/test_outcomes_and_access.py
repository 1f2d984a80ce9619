"""Outcomes through the API (each kind, 409 with the reason, repeated request ids) and who may
see and act on which task (worker of another grid: 404; township: its own; no token: 401)."""

from __future__ import annotations

import pytest

from contracts import events as ev
from tests.integration.tasking.conftest import Running, types
from tests.integration.tasking.helpers import ADMIN, case, record

pytestmark = pytest.mark.integration
TASKS = "paicha.tasking.tasks.v1"
A, B = "130826104-ga", "130826105-gb"


@pytest.fixture(scope="module")
async def grids(tasking: Running) -> dict[str, dict[str, str]]:
    await tasking.put_grid(A, "130826104", ["130826104200"])
    await tasking.put_grid(B, "130826105", ["130826105200"])
    return {
        "a": await tasking.token(scope="worker", grid_id=A, worker_id=f"{A}-w1"),
        "b": await tasking.token(scope="worker", grid_id=B, worker_id=f"{B}-w1"),
        "town_a": await tasking.token(scope="township", area_code="130826104"),
        "county": await tasking.token(scope="county", area_code="130826"),
    }


async def _task_in(tasking: Running, seq: int, grid: str) -> str:
    township, village = grid[:9], grid[:9] + "200"
    kw = dict(now=tasking.clock.now(), township=township, village=village)
    await tasking.send(record(seq, **kw), case(seq, **kw))
    task = await tasking.task(f"case-{seq}", lambda t: t["person"] is not None)
    assert task["grid_id"] == grid
    return str(task["task_id"])


async def test_each_token_sees_only_its_area(tasking: Running, grids: dict) -> None:
    in_a, in_b = await _task_in(tasking, 201, A), await _task_in(tasking, 202, B)
    c = tasking.client
    assert (await c.get(f"/v1/tasks/{in_b}", headers=grids["a"])).status_code == 404
    assert (await c.get(f"/v1/tasks/{in_b}", headers=grids["a"])).json()["error"]["code"] == \
        "not_found"
    assert (await c.post(f"/v1/tasks/{in_b}/start", headers=grids["a"])).status_code == 404
    assert (await c.get(f"/v1/tasks/{in_a}", headers=grids["a"])).status_code == 200
    mine = (await c.get("/v1/tasks", headers=grids["a"])).json()["tasks"]
    assert {t["task_id"] for t in mine} == {in_a}
    town = (await c.get("/v1/tasks", headers=grids["town_a"])).json()["tasks"]
    assert {t["grid_id"] for t in town} == {A}
    assert (await c.get(f"/v1/tasks/{in_b}", headers=grids["town_a"])).status_code == 404
    county = (await c.get("/v1/tasks", headers=grids["county"])).json()["tasks"]
    assert {in_a, in_b} <= {t["task_id"] for t in county}
    assert (await c.get("/v1/tasks")).status_code == 401
    bad = await c.get("/v1/tasks", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401 and bad.json()["error"]["code"] == "unauthenticated"
    grid = (await c.get("/v1/grids", headers=ADMIN)).json()["grids"][0]
    body = {k: v for k, v in grid.items() if k != "grid_id"}
    assert (await c.put(f"/v1/grids/{A}", json=body, headers=grids["county"])).status_code == 403
    me = (await c.get("/v1/me", headers=grids["a"])).json()
    assert me == {"scope": "worker", "grid_id": A, "worker_id": f"{A}-w1", "area_code": None,
                  "display_name": f"{A}网格员1"}


async def test_the_list_is_sorted_by_deadline_and_paged(tasking: Running, grids: dict) -> None:
    from datetime import timedelta

    now = tasking.clock.now()
    kw = dict(now=now, township="130826104", village="130826104200")
    await tasking.send(*[e for seq, hours in ((211, 5), (212, 1), (213, 3))
                         for e in (record(seq, **kw), case(seq, due_in=timedelta(hours=hours),
                                                           **kw))])
    for seq in (211, 212, 213):
        await tasking.task(f"case-{seq}")
    due_before = (now + timedelta(hours=4)).isoformat()
    seen, cursor = [], None
    while True:
        params = {"limit": "1", "due_before": due_before, **({"cursor": cursor} if cursor else {})}
        page = (await tasking.client.get("/v1/tasks", params=params, headers=grids["a"])).json()
        seen += [t["case_id"] for t in page["tasks"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert [s for s in seen if s in ("case-211", "case-212", "case-213")] == [
        "case-212", "case-213"]
    dues = [t["due_at"] for t in (await tasking.client.get(
        "/v1/tasks", headers=grids["a"])).json()["tasks"]]
    assert dues == sorted(dues)


async def test_outcomes_move_the_task_and_every_change_is_an_event(tasking: Running,
                                                                   grids: dict) -> None:
    task_id = await _task_in(tasking, 221, A)
    c, me = tasking.client, grids["a"]
    url = f"/v1/tasks/{task_id}"
    started = await c.post(f"{url}/start", headers=me)
    assert started.status_code == 200 and started.json()["status"] == "in_progress"
    assert (await c.post(f"{url}/start", headers=me)).json()["status"] == "in_progress"
    body = {"outcome": "system_fault", "request_id": "req-221-1", "note": "系统故障"}
    first = await c.post(f"{url}/outcomes", json=body, headers=me)
    again = await c.post(f"{url}/outcomes", json=body, headers=me)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json() and first.json()["status"] == "system_fault"
    refused = await c.post(f"{url}/outcomes", headers=me,
                           json={"outcome": "unreachable", "request_id": "req-221-2"})
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "invalid_transition"
    assert "waits for its retry" in refused.json()["error"]["message"]
    closed = await c.post(f"{url}/outcomes", headers=me, json={
        "outcome": "verified_measure_applied", "measure_applied": "home_quarantine",
        "request_id": "req-221-3"})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert closed.json()["measure_applied"] == "home_quarantine" and closed.json()["tests"]
    late = await c.post(f"{url}/outcomes", headers=me,
                        json={"outcome": "verified_no_risk", "request_id": "req-221-4"})
    assert late.status_code == 409 and "already closed" in late.json()["error"]["message"]
    invalid = await c.post(f"{url}/outcomes", headers=me, json={"outcome": "maybe"})
    assert invalid.status_code == 422 and invalid.json()["error"]["code"] == "invalid_request"
    found = await tasking.wait_events(TASKS, lambda es: "task.closed" in types(es, task_id))
    assert types(found, task_id) == ["task.assigned", "task.started", "task-outcome.recorded",
                                     "task-outcome.recorded", "task.closed"]
    outcomes = [e.event for e in found if isinstance(e.event, ev.TaskOutcomeRecorded)
                and e.event.task_id == task_id]
    assert [(o.outcome, o.request_id, o.recorded_by) for o in outcomes] == [
        (ev.Outcome.SYSTEM_FAULT, "req-221-1", f"worker:{A}:{A}-w1"),
        (ev.Outcome.VERIFIED_MEASURE_APPLIED, "req-221-3", f"worker:{A}:{A}-w1")]


@pytest.mark.parametrize(("seq", "outcome", "status"), [
    (231, "verified_no_risk", "closed"), (232, "not_in_area", "closed"),
    (233, "unreachable", "unreachable"), (234, "system_fault", "system_fault")])
async def test_every_outcome_from_assigned(tasking: Running, grids: dict, seq: int,
                                           outcome: str, status: str) -> None:
    task_id = await _task_in(tasking, seq, A)
    answer = await tasking.client.post(f"/v1/tasks/{task_id}/outcomes", headers=grids["town_a"],
                                       json={"outcome": outcome, "request_id": f"r-{seq}"})
    assert answer.status_code == 200 and answer.json()["status"] == status
    assert answer.json()["last_outcome"] == outcome


async def test_grid_directory_and_token_admin(tasking: Running, grids: dict) -> None:
    c = tasking.client
    listed = (await c.get("/v1/grids", headers=ADMIN)).json()["grids"]
    assert {g["grid_id"] for g in listed} >= {A, B}
    town = (await c.get("/v1/grids", headers=grids["town_a"])).json()["grids"]
    assert {g["grid_id"] for g in town} == {A}
    bad = await c.put("/v1/grids/x-1", headers=ADMIN, json={
        "name": "x", "township_code": "130826104", "township_name": "镇",
        "villages": [{"code": "130826105200", "name": "村"}], "workers": []})
    assert bad.status_code == 422 and "not in township" in bad.text
    unknown = await c.post("/v1/tokens", headers=ADMIN,
                           json={"scope": "worker", "grid_id": A, "worker_id": "nobody"})
    assert unknown.status_code == 422 and "has no worker nobody" in unknown.text
    assert (await c.post("/v1/tokens", headers=grids["county"],
                         json={"scope": "county", "area_code": "130826"})).status_code == 403
