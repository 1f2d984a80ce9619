"""Reporting on a real broker and store: a generated scenario's events produced in shuffled
order with duplicates give a JSON report equal to the ground truth; a rebuild from the topics
equals the live view; a missed midnight is closed once after a restart."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import datetime, timedelta

import pytest

from contracts.types import SHANGHAI
from tests.integration.intake.helpers import read_topic
from tests.integration.reporting.helpers import (
    ADMIN_TOKEN,
    drop_database,
    make_settings,
    produce,
    produce_garbage,
    running,
)
from tests.unit.reporting.scenario import (
    CAMPAIGN_START,
    DAYS,
    actual_figures,
    expected_report,
    generate,
)

pytestmark = pytest.mark.integration
SCENARIO = generate(seed=11, persons=120)
AFTER = datetime(2022, 7, 13, 10, tzinfo=SHANGHAI)  # the morning after the scenario's last day


async def _until(check, within: float = 90.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + within
    while True:
        result = await check()
        if result or time.monotonic() > deadline:
            return result
        await asyncio.sleep(0.5)


async def test_report_equals_ground_truth_after_shuffled_duplicated_delivery_and_rebuild(
        kafka_bootstrap: str, mongo_url: str) -> None:
    namespace = f"t-reporting-{uuid.uuid4().hex[:10]}"
    settings = make_settings(kafka_bootstrap, mongo_url, namespace,
                             campaign_start=CAMPAIGN_START, close_out=False)
    try:
        async with running(settings, clock=lambda: AFTER) as app:
            await app.components.prepare_topics()
            await produce_garbage(kafka_bootstrap, f"{namespace}.paicha.triage.cases.v1")
            sent = await produce(kafka_bootstrap, namespace, SCENARIO.events, seed=3)
            assert sent > len(SCENARIO.events)

            async def matches() -> bool:
                response = await app.client.get("/v1/reports/daily",
                                                params={"date": DAYS[-1].isoformat()})
                return actual_figures(response.json()) == expected_report(SCENARIO.truth,
                                                                          DAYS[-1])

            await _until(matches)
            registry = app.components.metrics.registry
            malformed = sum(registry.get_sample_value(
                "paicha_reporting_events_malformed_total",
                {"topic": f"{namespace}.paicha.triage.cases.v1", "error": error}) or 0
                for error in ("MissingHeaderError", "MalformedJsonError", "SchemaMismatchError",
                              "UnknownEventTypeError"))
            assert malformed == 3
            for day in DAYS:
                response = await app.client.get("/v1/reports/daily",
                                                params={"date": day.isoformat()})
                assert response.status_code == 200
                assert actual_figures(response.json()) == expected_report(SCENARIO.truth, day)
            text = await app.client.get("/v1/reports/daily.txt",
                                        params={"date": DAYS[-1].isoformat()})
            assert text.text.count("\n") == 4
            assert text.text.startswith("七月以来，共排查涉疫风险人员")

            refused = await app.client.post("/v1/reports/rebuild")
            assert refused.status_code == 401
            rebuilt = await app.client.post("/v1/reports/rebuild",
                                            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
            assert rebuilt.status_code == 200, rebuilt.text
            body = rebuilt.json()
            assert body["equal"] is True, body["differences"][:5]
            assert body["figures"] > 50

        # A restart rebuilds the view from the store; redelivery of everything changes nothing.
        async with running(settings, clock=lambda: AFTER) as app:
            await produce(kafka_bootstrap, namespace, SCENARIO.events, seed=4)
            await asyncio.sleep(3)
            response = await app.client.get("/v1/reports/daily",
                                            params={"date": DAYS[-1].isoformat()})
            assert actual_figures(response.json()) == expected_report(SCENARIO.truth, DAYS[-1])
            assert app.components.loaded > 0
    finally:
        await drop_database(mongo_url, settings.mongo.database)


async def test_a_missed_midnight_is_closed_once_after_a_restart(
        kafka_bootstrap: str, mongo_url: str) -> None:
    namespace = f"t-reporting-{uuid.uuid4().hex[:10]}"
    settings = make_settings(kafka_bootstrap, mongo_url, namespace,
                             campaign_start=CAMPAIGN_START)
    last_day = DAYS[-1]
    during = datetime(last_day.year, last_day.month, last_day.day, 10, tzinfo=SHANGHAI)
    daily_topic = f"{namespace}.paicha.reporting.daily.v1"
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    try:
        async with running(settings, clock=lambda: during) as app:  # first run on the last day
            await app.components.prepare_topics()
            await produce(kafka_bootstrap, namespace, SCENARIO.events, seed=5)
            await _until(lambda: _passes(app, 1))
            assert await read_topic(kafka_bootstrap, daily_topic) == []
        # Down over midnight; back the next morning: the missed day is closed on start.
        for _ in range(2):
            async with running(settings, clock=lambda: during + timedelta(days=1)) as app:
                assert await _until(lambda: _passes(app, 1))
                closeout = await app.client.get(f"/v1/reports/closeouts/{last_day}")
                assert closeout.status_code == 200
                route = "/v1/reports/daily/close"
                params = {"date": last_day.isoformat()}
                assert (await app.client.post(route, params=params)).status_code == 401
                wrong = {"Authorization": "Bearer not-the-admin-token"}
                denied = await app.client.post(route, params=params, headers=wrong)
                assert denied.status_code == 401  # a token reporting does not know
                assert denied.json()["error"]["code"] == "unauthorized"
                again = await app.client.post(route, params=params, headers=admin)
                assert again.json()["result"] == "already_closed"
                next_day = (last_day + timedelta(days=1)).isoformat()
                today = await app.client.post(route, headers=admin, params={"date": next_day})
                assert today.status_code == 409
        events = await read_topic(kafka_bootstrap, daily_topic)
        assert len(events) == 1
        closed = events[0].event
        expected = expected_report(SCENARIO.truth, last_day)
        assert closed.report_date == last_day  # type: ignore[attr-defined]
        assert closed.today.model_dump() == expected["today"]  # type: ignore[attr-defined]
        carried = closed.carried_over or []  # type: ignore[attr-defined]
        assert len(carried) == expected["today"]["pushed"] - expected["today"]["verified"]
        ledger = closeout.json()
        assert len(ledger["verified"]) == expected["today"]["verified"]
    finally:
        await drop_database(mongo_url, settings.mongo.database)


async def _passes(app, n: int) -> bool:  # type: ignore[no-untyped-def]
    return app.components.closeout.passes >= n
