"""Risk areas end to end on a real worker: a designation PUT over HTTP is published, consumed by
the worker itself, re-triages the open case it covers, and shows in GET /v1/risk-areas."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import httpx
import pytest

from contracts.events import CaseOpened, CaseReclassified
from services.triage.adapters.case_events import reclassified_by_designation_id
from tests.unit.triage_service.builders import ORIGIN_TOWNSHIP, T0, kafka_message, record

from .worker import ADMIN, TopicReader, produce, topic_names

pytestmark = pytest.mark.integration


def body(level: str, notice: str, start, end=None) -> dict:
    return {"level": level, "area_name": "测试街道", "notice_id": notice,
            "effective_from": start.isoformat(),
            "effective_to": end.isoformat() if end else None}


async def in_force(client: httpx.AsyncClient, as_of=None) -> list[tuple[str, str, str]]:
    params = {"as_of": as_of.isoformat()} if as_of else {}
    answer = (await client.get("/v1/risk-areas", params=params)).json()
    return [(d["area_code"], d["notice_id"], d["level"]) for d in answer["designations"]]


async def eventually(probe, expected, patience: float = 30):
    deadline, seen = time.monotonic() + patience, None
    while time.monotonic() < deadline:
        seen = await probe()
        if seen == expected:
            return seen
        await asyncio.sleep(0.3)
    return seen


async def test_designation_put_after_a_record_reclassifies_its_case(worker, kafka_bootstrap):
    records_topic, cases_topic = topic_names(worker.namespace)
    worker.start()
    await worker.ready()
    async with TopicReader(kafka_bootstrap, cases_topic) as cases, httpx.AsyncClient(
            base_url=worker.url, timeout=10, headers=ADMIN) as client:
        person = record(1)
        await produce(kafka_bootstrap, records_topic, [(person, kafka_message(person))])
        [opened] = [e.event for e in await cases.until(lambda es: len(es) == 1, worker)]
        assert isinstance(opened, CaseOpened) and opened.category.value == "none"

        answer = await client.put(f"/v1/risk-areas/{ORIGIN_TOWNSHIP}",
                                  json=body("high", "notice-b", T0 - timedelta(days=10)))
        assert answer.status_code == 202, answer.text
        event_id = answer.json()["event_id"]

        envelopes = await cases.until(lambda es: len(es) == 2, worker)
        raised = envelopes[1]
        assert isinstance(raised.event, CaseReclassified)
        assert raised.event.case_id == opened.case_id
        assert raised.event.previous_category.value == "none"
        assert raised.event.category.value == "high_risk_area"
        assert raised.event.notice_ids == ["notice-b"]
        assert raised.id == reclassified_by_designation_id(opened.case_id, ORIGIN_TOWNSHIP,
                                                           "notice-b", event_id)
        # The worker counts a batch once Kafka has acked its events, and the reader can see
        # an event a moment before that ack reaches the worker: poll rather than read once.
        wanted = ('paicha_triage_reclassifications_total{category="high_risk_area",'
                  'trigger="designation"} 1.0',
                  'paicha_triage_cases_opened_total{category="none",risk_level="none"} 1.0')

        async def counted() -> bool:
            metrics = (await client.get("/metrics")).text
            return all(line in metrics for line in wanted)

        assert await eventually(counted, True, patience=10)


async def test_get_risk_areas_shows_what_was_in_force_at_a_time(worker):
    worker.start()
    await worker.ready()
    area = "130826100"
    async with httpx.AsyncClient(base_url=worker.url, timeout=10, headers=ADMIN) as client:
        puts = [body("high", "n-1", T0 - timedelta(days=10), T0 - timedelta(days=3)),
                body("medium", "n-2", T0 - timedelta(days=3))]
        for payload in puts:
            answer = await client.put(f"/v1/risk-areas/{area}", json=payload)
            assert answer.status_code == 202, answer.text

        later = T0 - timedelta(days=1)
        assert await eventually(lambda: in_force(client, later),
                                [(area, "n-2", "medium")]) == [(area, "n-2", "medium")]
        assert await in_force(client, T0 - timedelta(days=5)) == [(area, "n-1", "high")]
        assert await in_force(client, T0 - timedelta(days=20)) == []
        assert await in_force(client) == [(area, "n-2", "medium")]  # now: still in force

        history = (await client.get(f"/v1/risk-areas/{area}/history")).json()
        assert [s["notice_id"] for s in history["segments"]] == ["n-1", "n-2"]
        assert {n["designated_by"] for n in history["notices"]} == {"admin"}

        anonymous = await client.put(f"/v1/risk-areas/{area}", headers={"Authorization": ""},
                                     json=body("high", "n-4", T0))
        assert anonymous.status_code == 401
        assert anonymous.json()["error"]["code"] == "missing_token"

        bad = await client.put(f"/v1/risk-areas/{area}",
                               json=body("high", "n-3", T0, T0 - timedelta(days=1)))
        assert bad.status_code == 422
        assert bad.json()["error"]["code"] == "invalid_designation"


async def test_designations_survive_a_restart_and_classify_new_records(worker, kafka_bootstrap):
    records_topic, cases_topic = topic_names(worker.namespace)
    worker.start()
    await worker.ready()
    async with httpx.AsyncClient(base_url=worker.url, timeout=10, headers=ADMIN) as client:
        answer = await client.put(f"/v1/risk-areas/{ORIGIN_TOWNSHIP}",
                                  json=body("medium", "n-m", T0 - timedelta(days=10)))
        assert answer.status_code == 202
        expected = [(ORIGIN_TOWNSHIP, "n-m", "medium")]
        assert await eventually(lambda: in_force(client, T0), expected) == expected
    assert worker.stop() == 0, worker.tail()

    worker.start()
    await worker.ready()
    async with httpx.AsyncClient(base_url=worker.url, timeout=10, headers=ADMIN) as client:
        # The registry came back from the designations_by_area changelog, not from memory.
        assert await in_force(client, T0) == expected
    async with TopicReader(kafka_bootstrap, cases_topic) as cases:
        person = record(7)
        await produce(kafka_bootstrap, records_topic, [(person, kafka_message(person))])
        [opened] = [e.event for e in await cases.until(lambda es: len(es) == 1, worker)]
    assert opened.category.value == "medium_risk_area"
