"""What the three aiokafka services (intake, tasking, reporting) share around their own parts:
``serve`` runs one (settings from the environment, logging, uvicorn with the app's lifespan),
``lifespan`` starts and stops its components with the HTTP server, and ``stop_tasks`` ends its
background tasks. Triage is a faust worker and starts its own way (services/triage/main.py).

Exit codes of ``serve``: 0 stopped, 2 invalid settings (or another start-up error named in
``invalid``)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol, TypeVar

import uvicorn
from fastapi import FastAPI
from pydantic import ValidationError


class Startable(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class _Http(Protocol):
    host: str
    port: int


class ServiceSettings(Protocol):
    log_level: str

    @property
    def http(self) -> _Http: ...


S = TypeVar("S", bound=ServiceSettings)


def lifespan(components: Startable) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """A FastAPI lifespan: ``components.start()`` before serving, ``stop()`` after."""

    @asynccontextmanager
    async def span(_: FastAPI) -> AsyncIterator[None]:
        await components.start()
        try:
            yield
        finally:
            await components.stop()

    return span


async def stop_tasks(tasks: Iterable[asyncio.Task[Any]], *, grace_s: float = 3.0) -> None:
    """Give each background task ``grace_s`` to notice its stop flag, then cancel it. A consumer
    waiting in a rebalance (e.g. for a killed member's session to expire) does not notice the
    flag; nothing uncommitted is lost by cancelling it (redelivery)."""
    for task in tasks:
        done, _ = await asyncio.wait({task}, timeout=grace_s)
        if not done:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(task, 5)


def serve(name: str, load_settings: Callable[[], S], create: Callable[[S], FastAPI], *,
          invalid: Mapping[type[Exception], str] | None = None) -> None:
    """Run service ``name`` until it is stopped. ``create`` builds its components and app;
    ``invalid`` names start-up errors that exit 2 with a message (e.g. an unusable policy)."""
    try:
        settings = load_settings()
    except ValidationError as exc:
        print(f"{name}: invalid settings:\n{exc}", file=sys.stderr)
        sys.exit(2)
    logging.basicConfig(level=settings.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    invalid = dict(invalid or {})
    try:
        app = create(settings)
    except tuple(invalid) as exc:
        what = next(m for kind, m in invalid.items() if isinstance(exc, kind))
        print(f"{name}: {what}: {exc}", file=sys.stderr)
        sys.exit(2)
    uvicorn.run(app, host=settings.http.host, port=settings.http.port,
                log_level=settings.log_level.lower(), access_log=False, lifespan="on")
