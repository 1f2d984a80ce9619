"""The tasking FastAPI app: worker and supervisor routes, grid and token admin, JSON problem
errors (503 + Retry-After when the store is away), health, metrics, and the worker page at
/worker/ when services/tasking/web/ exists."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from pymongo.errors import PyMongoError

from paicha_runtime.http import (
    install_health,
    install_problem_handlers,
    install_request_timing,
    problem,
)
from paicha_runtime.service import lifespan
from services.tasking.bootstrap import Components
from services.tasking.routes import admin, tasks

WEB = Path(__file__).parent / "web"


def create_app(components: Components) -> FastAPI:
    app = FastAPI(title="paicha tasking", version="1", lifespan=lifespan(components),
                  description="Grid-worker tasks: deadlines, outcomes, tests; grid directory.")
    app.state.components = components
    install_problem_handlers(app)
    retry_after = str(components.settings.retry_after_s)

    @app.exception_handler(PyMongoError)
    async def _store_away(_: Request, exc: PyMongoError) -> JSONResponse:
        return problem(503, "unavailable", "the store is unavailable; nothing was changed, "
                       "retry later", headers={"Retry-After": retry_after})

    install_request_timing(app, components.metrics.request_seconds)

    install_health(app, {"kafka": components.publisher.ping, "store": components.store.ping},
                   components.metrics.registry)
    app.include_router(tasks.router)
    app.include_router(admin.router)
    if WEB.is_dir():
        app.mount("/worker", StaticFiles(directory=WEB, html=True), name="worker")
    return app
