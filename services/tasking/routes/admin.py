"""The grid directory and tokens (admin): PUT/GET grids, POST tokens (the token is shown once,
only its SHA-256 is stored)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, model_validator

from paicha_runtime.http import ProblemError
from services.tasking.auth import Scope, hash_token, new_token
from services.tasking.routes.common import AdminCaller, Caller, Comps

router = APIRouter(prefix="/v1")
Code9 = Annotated[str, Field(pattern=r"^[0-9]{9}$")]
Code12 = Annotated[str, Field(pattern=r"^[0-9]{12}$")]
Name = Annotated[str, Field(min_length=1, max_length=100)]


class Village(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: Code12
    name: Name


class Worker(BaseModel):
    model_config = ConfigDict(extra="forbid")
    worker_id: Annotated[str, Field(pattern=r"^[A-Za-z0-9._-]{1,64}$")]
    name: Name
    phone: Annotated[str, Field(pattern=r"^[0-9+\- ]{5,20}$")]


class GridIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    grid_id: str | None = None  # optional: what GET answers can be PUT back as it is
    name: Name
    township_code: Code9
    township_name: Name
    villages: list[Village] = Field(min_length=1)
    workers: list[Worker] = Field(default_factory=list)

    @model_validator(mode="after")
    def _villages_in_township(self) -> GridIn:
        strays = [v.code for v in self.villages if not v.code.startswith(self.township_code)]
        if strays:
            raise ValueError(f"villages {', '.join(strays)} are not in township "
                             f"{self.township_code}")
        return self


@router.put("/grids/{grid_id}")
async def put_grid(grid_id: Annotated[str, Field(pattern=r"^[A-Za-z0-9._-]{1,64}$")],
                   body: GridIn, who: AdminCaller, comps: Comps) -> dict[str, Any]:
    if grid_id.startswith("pool-"):
        raise ProblemError(422, "invalid_request", "grid ids starting with pool- are reserved "
                           "for the township and county pools")
    if body.grid_id is not None and body.grid_id != grid_id:
        raise ProblemError(422, "invalid_request", f"the body is grid {body.grid_id}, the path "
                           f"grid {grid_id}")
    grid = {**body.model_dump(), "grid_id": grid_id}
    await comps.store.put_grid(grid)
    comps.tasking.grids_changed()
    return grid


def _grid_view(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: doc[k] for k in ("grid_id", "name", "township_code", "township_name", "villages",
                                "workers")}


@router.get("/grids")
async def list_grids(who: Caller, comps: Comps) -> dict[str, Any]:
    if who.scope == Scope.WORKER:
        raise ProblemError(403, "forbidden", "the grid directory is for supervisors and admin")
    grids = sorted(await comps.store.grids(), key=lambda g: g["_id"])
    if who.scope == Scope.TOWNSHIP:
        grids = [g for g in grids if g["township_code"] == who.area_code]
    elif who.scope == Scope.COUNTY:
        grids = [g for g in grids if g["township_code"].startswith(who.area_code or "-")]
    return {"grids": [_grid_view(g) for g in grids]}


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scope: Literal["worker", "township", "county"]
    grid_id: str | None = None
    worker_id: str | None = None
    area_code: Annotated[str, Field(pattern=r"^[0-9]{6}([0-9]{3})?$")] | None = None
    display_name: Name | None = None


@router.post("/tokens", status_code=201)
async def new_token_route(body: TokenIn, who: AdminCaller, comps: Comps) -> dict[str, Any]:
    display = body.display_name
    if body.scope == "worker":
        if not body.grid_id or not body.worker_id:
            raise ProblemError(422, "invalid_request", "a worker token needs grid_id and "
                               "worker_id")
        grid = await comps.store.grid(body.grid_id)
        if grid is None:
            raise ProblemError(422, "invalid_request", f"no grid {body.grid_id}; PUT it first")
        worker = next((w for w in grid["workers"] if w["worker_id"] == body.worker_id), None)
        if worker is None:
            raise ProblemError(422, "invalid_request",
                               f"grid {body.grid_id} has no worker {body.worker_id}")
        display = display or worker["name"]
        area = None
    else:
        want = 9 if body.scope == "township" else 6
        if body.area_code is None or len(body.area_code) != want:
            raise ProblemError(422, "invalid_request",
                               f"a {body.scope} token needs a {want}-digit area_code")
        area = body.area_code
    token = new_token(body.scope)
    doc = {"_id": hash_token(token), "scope": body.scope, "grid_id": body.grid_id
           if body.scope == "worker" else None, "worker_id": body.worker_id
           if body.scope == "worker" else None, "area_code": area, "display_name": display,
           "created_at": datetime.now(UTC)}
    await comps.store.put_token(doc)
    return {"token": token, "sha256": doc["_id"], "scope": body.scope,
            "grid_id": doc["grid_id"], "worker_id": doc["worker_id"], "area_code": area,
            "display_name": display}
