"""The reporting FastAPI app built from its components: report routes, JSON problem errors,
health and metrics."""

from __future__ import annotations

from fastapi import FastAPI

from paicha_runtime.http import install_health, install_problem_handlers
from paicha_runtime.service import lifespan
from services.reporting import routes
from services.reporting.bootstrap import Components


def create_app(components: Components) -> FastAPI:
    app = FastAPI(title="paicha reporting", version="1", lifespan=lifespan(components),
                  description="Daily figures, the Chinese briefing, exports and close-out.")
    app.state.components = components

    async def consumer_ready() -> bool:
        return bool(components.consumer.positions) or components.consumer.caught_up.is_set()

    install_problem_handlers(app)
    install_health(app, {"store": components.store.ping, "consumer": consumer_ready},
                   components.metrics.registry)
    app.include_router(routes.router)
    return app
