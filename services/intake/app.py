"""The intake FastAPI app, built from its components (``bootstrap.build``): feed routes,
JSON problem errors (503 + Retry-After when Kafka or the store is away), health and metrics."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from paicha_runtime.http import install_health, install_problem_handlers, problem
from services.intake.bootstrap import Components
from services.intake.ports import Unavailable
from services.intake.routes import files, records


def create_app(components: Components) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await components.start()
        try:
            yield
        finally:
            await components.stop()

    app = FastAPI(title="paicha intake", version="1",
                  description="Feed API: push screening records, upload lists.", lifespan=lifespan)
    app.state.components = components
    install_problem_handlers(app)
    retry_after = str(components.settings.retry_after_s)

    @app.exception_handler(Unavailable)
    async def _unavailable(_: Request, exc: Unavailable) -> JSONResponse:
        components.metrics.calls_refused.labels("records", "unavailable").inc()
        return problem(503, "unavailable", f"{exc.dependency} is unavailable: this call was not "
                       "acknowledged. Retry later; records it claimed may still be published by "
                       "intake (same ids), a retry does not duplicate them",
                       headers={"Retry-After": retry_after})

    @app.middleware("http")
    async def _timing(request: Request,
                      call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = getattr(request.scope.get("route"), "path", "other")
        components.metrics.request_seconds.labels(route, str(response.status_code)).observe(
            time.perf_counter() - started)
        return response

    install_health(app, {"kafka": components.publisher.ping, "store": components.store.ping},
                   components.metrics.registry)
    app.include_router(records.router)
    app.include_router(files.router)
    return app
