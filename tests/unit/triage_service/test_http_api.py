"""The risk-area admin API over a fake worker port: tokens and scopes on every route,
validation, the 202 answer with a stable event id, and GET ?as_of= answering from the kept
designations."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from prometheus_client import CollectorRegistry

from contracts.events import RiskAreaDesignated
from paicha_runtime.http import ProblemError
from services.triage.adapters.http_api import build_api, designation_id
from services.triage.auth import Authenticator, Scope, TokenGrant, hash_token

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


ADMIN_TOKEN = "pc_county-cdc_test-token-admin-0123456789"
READER_TOKEN = "pc_reporting_test-token-reader-0123456789"
AUTH = Authenticator([
    TokenGrant("county-cdc", hash_token(ADMIN_TOKEN), frozenset({Scope.RISK_AREAS_ADMIN})),
    TokenGrant("reporting", hash_token(READER_TOKEN), frozenset({Scope.CASES_READ})),
])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def client(port):
    async def ok() -> bool:
        return True

    api = build_api(port, {"kafka": ok}, CollectorRegistry(), AUTH)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=api),
                                 base_url="http://triage") as c:
        yield c


def body_of(**changes):
    return {"level": "high", "area_name": "测试镇", "notice_id": "n-1",
            "effective_from": (T0 - timedelta(days=2)).isoformat(), **changes}


async def put(client, code="130826100", **changes):
    return await client.put(f"/v1/risk-areas/{code}", json=body_of(**changes),
                            headers=bearer(ADMIN_TOKEN))


async def test_a_valid_designation_is_published_and_accepted_with_its_event_id(client, port):
    answer = await put(client)
    assert answer.status_code == 202
    [(event, event_id)] = port.published
    assert answer.json() == {"status": "accepted", "event_id": event_id,
                             "area_code": "130826100", "notice_id": "n-1"}
    assert event.level.value == "high" and event.designated_at is not None
    assert event.designated_by == "county-cdc"
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
    answer = await client.get("/v1/risk-areas/downgrades", headers=bearer(READER_TOKEN))
    assert answer.json()["count"] == 1
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    assert (await client.get("/readyz")).json()["ready"] is True


@pytest.mark.parametrize(("field", "value", "code", "message"), [
    ("effective_from", 0, "invalid_time", "times must be ISO 8601 with a timezone"),
    ("effective_from", 1658282400, "invalid_time", "times must be ISO 8601 with a timezone"),
    ("effective_to", "1658282400", "invalid_time", "times must be ISO 8601 with a timezone"),
    ("effective_from", "2022-07-20T10:00:00", "invalid_time", "with a timezone"),
    ("effective_from", "yesterday", "invalid_time", "with a timezone"),
    ("area_name", "测试\u0000镇", "invalid_text", "must not contain control characters"),
    ("notice_id", "n-1\u0000", "invalid_text", "must not contain control characters"),
    ("notice_id", "n-1\n2", "invalid_text", "must not contain control characters"),
])
async def test_epoch_times_and_control_characters_are_refused_with_a_specific_message(
        client, port, field, value, code, message):
    answer = await put(client, **{field: value})
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == code
    assert error["message"].startswith(f"{field}: ") and message in error["message"]
    assert port.published == []


def _routes():
    d = body_of()
    return [("PUT", "/v1/risk-areas/130826100", d, {
                "none": 401, "wrong": 401, "reader": 403, "admin": 202}),
            ("GET", "/v1/risk-areas/downgrades", None, {
                "none": 401, "wrong": 401, "reader": 200, "admin": 200}),
            # The designations are public notices without PII: open to anyone.
            ("GET", "/v1/risk-areas", None, {
                "none": 200, "wrong": 200, "reader": 200, "admin": 200}),
            ("GET", "/v1/risk-areas/130826100/history", None, {
                "none": 200, "wrong": 200, "reader": 200, "admin": 200}),
            *[("GET", probe, None, {"none": 200, "wrong": 200, "reader": 200, "admin": 200})
              for probe in ("/healthz", "/readyz", "/metrics")]]


TOKENS = {"none": None, "wrong": "pc_nobody_not-a-token", "reader": READER_TOKEN,
          "admin": ADMIN_TOKEN}


@pytest.mark.parametrize(("method", "path", "json", "expected"), _routes(),
                         ids=[f"{m} {p}" for m, p, _, _ in _routes()])
@pytest.mark.parametrize("who", list(TOKENS))
async def test_every_route_answers_each_kind_of_caller_as_documented(
        client, port, method, path, json, expected, who):
    token = TOKENS[who]
    headers = bearer(token) if token else {}
    answer = await client.request(method, path, json=json, headers=headers)
    assert answer.status_code == expected[who], answer.text
    if expected[who] == 401:
        assert answer.json()["error"]["code"] == ("missing_token" if who == "none"
                                                  else "invalid_token")
        assert answer.headers["www-authenticate"].startswith("Bearer")
    if expected[who] == 403:
        assert answer.json()["error"]["code"] == "forbidden_scope"
    if method == "PUT":
        assert len(port.published) == (1 if who == "admin" else 0)


async def test_a_token_in_another_scheme_is_not_a_bearer_token(client, port):
    answer = await client.put("/v1/risk-areas/130826100", json=body_of(),
                              headers={"Authorization": f"Basic {ADMIN_TOKEN}"})
    assert answer.status_code == 401 and port.published == []
