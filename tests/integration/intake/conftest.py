"""One intake per test session, in process (ASGI transport, real lifespan): real Kafka, real
MongoDB-protocol store, its own topic namespace, database and consumer group."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from services.intake.app import create_app
from services.intake.bootstrap import Components, build
from tests.integration.intake.helpers import drop_database, make_settings


@dataclass
class Running:
    client: httpx.AsyncClient
    components: Components
    bootstrap: str

    @property
    def records_topic(self) -> str:
        return self.components.topics.name("paicha.intake.records.v1")

    @property
    def rejected_topic(self) -> str:
        return self.components.topics.name("paicha.intake.rejected.v1")

    def raw_topic(self, feed: str) -> str:
        return self.components.topics.raw_feed(feed).name

    def metric(self, name: str, **labels: str) -> float:
        value = self.components.metrics.registry.get_sample_value(name, labels)
        return value or 0.0


@pytest.fixture(scope="session")
async def intake(kafka_bootstrap: str, mongo_url: str,
                 ferretdb_postgresql_url: str | None) -> AsyncIterator[Running]:
    namespace = f"t-intake-{uuid.uuid4().hex[:10]}"
    settings = make_settings(kafka_bootstrap, mongo_url, namespace,
                             ferretdb_postgresql_url=ferretdb_postgresql_url)
    components = build(settings)
    app = create_app(components)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://intake",
                                     timeout=60) as client:
            yield Running(client, components, kafka_bootstrap)
    await drop_database(mongo_url, settings.mongo.database)
