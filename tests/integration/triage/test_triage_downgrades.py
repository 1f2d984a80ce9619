"""Two workers of one group share the case partitions; the downgrades re-triage noticed on
either of them are listed by GET /v1/risk-areas/downgrades on both."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import httpx
import pytest

from contracts.events import CaseOpened
from tests.unit.triage_service.builders import ORIGIN_TOWNSHIP, T0, kafka_message, record

from .worker import ADMIN, TopicReader, TriageWorker, produce, topic_names

pytestmark = pytest.mark.integration
PEOPLE = 24  # spread over the 6 case partitions, so both workers hold some


def body(end=None) -> dict:
    return {"level": "high", "area_name": "测试街道", "notice_id": "n-down",
            "effective_from": (T0 - timedelta(days=10)).isoformat(),
            "effective_to": end.isoformat() if end else None}


async def listed(url: str) -> set[str]:
    async with httpx.AsyncClient(base_url=url, timeout=10, headers=ADMIN) as client:
        answer = await client.get("/v1/risk-areas/downgrades")
        assert answer.status_code == 200, answer.text
        return {d["person_key"] for d in answer.json()["downgrades"]}


async def opened_here(url: str) -> float:
    async with httpx.AsyncClient(base_url=url, timeout=10) as client:
        text = (await client.get("/metrics")).text
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith("paicha_triage_cases_opened_total{"))


async def test_any_worker_lists_the_downgrades_of_every_partition(worker, kafka_bootstrap,
                                                                  tmp_path):
    other = TriageWorker(kafka_bootstrap, worker.namespace, tmp_path / "other")
    records_topic, cases_topic = topic_names(worker.namespace)
    try:
        worker.start()
        other.start()
        await asyncio.gather(worker.ready(), other.ready())
        async with httpx.AsyncClient(base_url=worker.url, timeout=10, headers=ADMIN) as client:
            answer = await client.put(f"/v1/risk-areas/{ORIGIN_TOWNSHIP}", json=body())
            assert answer.status_code == 202, answer.text
        await asyncio.sleep(3)  # the designation reaches both registries
        people = [record(p) for p in range(1, PEOPLE + 1)]
        async with TopicReader(kafka_bootstrap, cases_topic) as cases:
            await produce(kafka_bootstrap, records_topic,
                          [(r, kafka_message(r)) for r in people])
            envelopes = await cases.until(
                lambda es: len([e for e in es if isinstance(e.event, CaseOpened)]) == PEOPLE,
                worker, patience=120)
        assert {e.event.category.value for e in envelopes} == {"high_risk_area"}
        # Both workers held case partitions: each opened some of the cases.
        opened = [await opened_here(w.url) for w in (worker, other)]
        assert sum(opened) == PEOPLE and min(opened) > 0, opened

        # The same notice corrected: it ended before anyone was there. Every case would be
        # lowered; none is, and each worker lists all of them.
        async with httpx.AsyncClient(base_url=other.url, timeout=10, headers=ADMIN) as client:
            answer = await client.put(f"/v1/risk-areas/{ORIGIN_TOWNSHIP}",
                                      json=body(end=T0 - timedelta(days=9)))
            assert answer.status_code == 202, answer.text
        expected = {r.person_key for r in people}
        deadline = time.monotonic() + 90
        seen: tuple[set[str], set[str]] = (set(), set())
        while time.monotonic() < deadline:
            seen = (await listed(worker.url), await listed(other.url))
            if seen == (expected, expected):
                break
            await asyncio.sleep(0.5)
        assert seen == (expected, expected), (len(seen[0]), len(seen[1]),
                                              worker.tail(), other.tail())
    finally:
        other.stop()
