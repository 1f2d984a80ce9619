"""One tasking per test module, in process (ASGI transport, real lifespan) on a ManualClock:
real Kafka, real MongoDB-protocol store, its own topic namespace, database and consumer group."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from contracts.envelope import Envelope
from contracts.events import Event
from services.tasking.app import create_app
from services.tasking.bootstrap import Components, build
from services.tasking.clock import ManualClock
from services.tasking.handlers import task_id_for
from tests.integration.intake.helpers import drop_database, read_topic
from tests.integration.tasking.helpers import ADMIN, make_settings, produce

pytestmark = pytest.mark.integration


@dataclass
class Running:
    client: httpx.AsyncClient
    components: Components
    bootstrap: str
    namespace: str
    clock: ManualClock

    async def send(self, *events: Event) -> None:
        await produce(self.bootstrap, self.namespace, list(events))

    async def token(self, **body: Any) -> dict[str, str]:
        response = await self.client.post("/v1/tokens", json=body, headers=ADMIN)
        assert response.status_code == 201, response.text
        return {"Authorization": f"Bearer {response.json()['token']}"}

    async def put_grid(self, grid_id: str, township: str, villages: list[str],
                       workers: int = 1) -> None:
        body = {"name": f"{grid_id} 网格", "township_code": township, "township_name": "测试镇",
                "villages": [{"code": v, "name": f"村{v[-3:]}"} for v in villages],
                "workers": [{"worker_id": f"{grid_id}-w{i}", "name": f"{grid_id}网格员{i}",
                             "phone": f"1380000{i:04d}"} for i in range(1, workers + 1)]}
        response = await self.client.put(f"/v1/grids/{grid_id}", json=body, headers=ADMIN)
        assert response.status_code == 200, response.text

    async def task(self, case_id: str, test: Callable[[dict[str, Any]], bool] = lambda t: True,
                   within_s: float = 30) -> dict[str, Any]:
        """The case's task as the admin sees it, once ``test`` holds."""
        deadline = time.monotonic() + within_s
        url = f"/v1/tasks/{task_id_for(case_id)}"
        body: dict[str, Any] = {}
        while time.monotonic() < deadline:
            response = await self.client.get(url, headers=ADMIN)
            if response.status_code == 200:
                body = response.json()
                if test(body):
                    return body
            await asyncio.sleep(0.1)
        raise AssertionError(f"task of {case_id} not as expected: {body}")

    async def events(self, base_topic: str, task_id: str | None = None) -> list[Envelope]:
        found = await read_topic(self.bootstrap, f"{self.namespace}.{base_topic}")
        if task_id is None:
            return found
        return [e for e in found if getattr(e.event, "task_id", None) == task_id]

    async def wait_events(self, base_topic: str, test: Callable[[list[Envelope]], bool],
                          within_s: float = 30) -> list[Envelope]:
        deadline = time.monotonic() + within_s
        while True:
            found = await self.events(base_topic)
            if test(found) or time.monotonic() > deadline:
                return found
            await asyncio.sleep(0.3)

    def metric(self, name: str, **labels: str) -> float:
        return self.components.metrics.registry.get_sample_value(name, labels) or 0.0


def types(envelopes: list[Envelope], task_id: str | None = None) -> list[str]:
    return [".".join(e.type.split(".")[3:-1]) for e in envelopes
            if task_id is None or getattr(e.event, "task_id", None) == task_id]


@pytest.fixture(scope="module")
async def tasking(kafka_bootstrap: str, mongo_url: str) -> AsyncIterator[Running]:
    namespace = f"t-tasking-{uuid.uuid4().hex[:10]}"
    settings = make_settings(kafka_bootstrap, mongo_url, namespace)
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
    components = build(settings, clock=clock)
    app = create_app(components)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://tasking",
                                     timeout=60) as client:
            yield Running(client, components, kafka_bootstrap, namespace, clock)
    await drop_database(mongo_url, settings.mongo.database)
