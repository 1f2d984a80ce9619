"""The intake FastAPI app, built from its components (``bootstrap.build``): feed routes,
JSON problem errors (503 + Retry-After when Kafka or the store is away), health and metrics."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from paicha_runtime.http import (
    install_health,
    install_problem_handlers,
    install_request_timing,
    problem,
)
from paicha_runtime.service import lifespan
from services.intake.bootstrap import Components
from services.intake.ports import Unavailable
from services.intake.routes import files, records


def create_app(components: Components) -> FastAPI:
    app = FastAPI(title="paicha intake", version="1", lifespan=lifespan(components),
                  description="Feed API: push screening records, upload lists.")
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

    install_request_timing(app, components.metrics.request_seconds)

    install_health(app, {"kafka": components.publisher.ping, "store": components.store.ping},
                   components.metrics.registry)
    app.include_router(records.router)
    app.include_router(files.router)
    return app
