"""The risk-area admin API over a fake worker port: validation, the 202 answer with a stable
event id, and GET ?as_of= answering from the kept designations."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from prometheus_client import CollectorRegistry

from contracts.events import RiskAreaDesignated
from paicha_runtime.http import ProblemError
from services.triage.adapters.http_api import build_api, designation_id

from .builders import T0


class FakePort:
    def __init__(self) -> None:
        self.published: list[tuple[RiskAreaDesignated, str]] = []
        self.down = False

    async def publish(self, event: RiskAreaDesignated, event_id: str) -> None:
        if self.down:
            raise ProblemError(503, "kafka_unavailable", "down")
        self.published.append((event, event_id))

    def designations(self) -> list[RiskAreaDesignated]:
        return [e for e, _ in self.published]

    def downgrades(self) -> list[dict]:
        return [{"case_id": "c-1", "would_be": "low_risk_area"}]


@pytest.fixture
def port() -> FakePort:
    return FakePort()


@pytest.fixture
async def client(port):
    async def ok() -> bool:
        return True

    api = build_api(port, {"kafka": ok}, CollectorRegistry())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=api),
                                 base_url="http://triage") as c:
        yield c


async def put(client, code="130826100", **changes):
    body = {"level": "high", "area_name": "测试镇", "notice_id": "n-1",
            "effective_from": (T0 - timedelta(days=2)).isoformat(), **changes}
    return await client.put(f"/v1/risk-areas/{code}", json=body)


async def test_a_valid_designation_is_published_and_accepted_with_its_event_id(client, port):
    answer = await put(client)
    assert answer.status_code == 202
    [(event, event_id)] = port.published
    assert answer.json() == {"status": "accepted", "event_id": event_id,
                             "area_code": "130826100", "notice_id": "n-1"}
    assert event.level.value == "high" and event.designated_at is not None
    assert event_id == designation_id(event)


async def test_putting_the_same_designation_twice_gives_the_same_event_id(client):
    first, again = await put(client), await put(client)
    other = await put(client, level="medium")
    assert first.json()["event_id"] == again.json()["event_id"] != other.json()["event_id"]


@pytest.mark.parametrize(("code", "changes", "error"), [
    ("1308261", {}, "invalid_area_code"),
    ("130826100", {"level": "extreme"}, "invalid_request"),
    ("130826100", {"notice_id": ""}, "invalid_request"),
    ("130826100", {"effective_to": (T0 - timedelta(days=3)).isoformat()},
     "invalid_designation"),
    ("130826100", {"surprise": 1}, "invalid_request"),
])
async def test_invalid_designations_are_refused_with_a_problem(client, port, code, changes, error):
    answer = await put(client, code, **changes)
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == error
    assert port.published == []


async def test_kafka_down_is_a_503_problem(client, port):
    port.down = True
    answer = await put(client)
    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "kafka_unavailable"


async def test_get_lists_what_was_in_force_at_the_time(client):
    await put(client, notice_id="n-1", effective_to=(T0 - timedelta(days=1)).isoformat())
    await put(client, notice_id="n-2", level="medium",
              effective_from=(T0 - timedelta(days=1)).isoformat())
    await put(client, "110105", notice_id="n-3", level="low")

    async def at(when):
        answer = (await client.get("/v1/risk-areas", params={"as_of": when.isoformat()})).json()
        return [(d["area_code"], d["notice_id"]) for d in answer["designations"]]

    assert await at(T0 - timedelta(days=1, hours=12)) == [("110105", "n-3"),
                                                          ("130826100", "n-1")]
    assert await at(T0) == [("110105", "n-3"), ("130826100", "n-2")]
    assert await at(T0 - timedelta(days=5)) == []
    # a naive time is Beijing wall-clock time
    naive = (await client.get("/v1/risk-areas", params={"as_of": "2022-07-20T10:00:00"})).json()
    assert naive["as_of"] == "2022-07-20T10:00:00+08:00" and naive["count"] == 2


async def test_downgrades_and_health_endpoints_answer(client):
    assert (await client.get("/v1/risk-areas/downgrades")).json()["count"] == 1
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    assert (await client.get("/readyz")).json()["ready"] is True
