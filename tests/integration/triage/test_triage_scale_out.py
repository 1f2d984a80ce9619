"""Two workers of one group, records streaming over all case partitions, one worker stopped
(SIGTERM, or kill -9) while a risk designation is PUT within a second of the stop, that is
during the rebalance: every person still has exactly one case, every case from the designated
area ends up in the area's category, each re-triaged for the designation once, and the
survivor serves every partition."""

from __future__ import annotations

import asyncio
import warnings
from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta

import httpx
import pytest
from aiokafka.partitioner import DefaultPartitioner

from contracts.envelope import Envelope
from contracts.events import CaseMerged, CaseOpened, CaseReclassified, Feed, RecordReceived
from services.triage.adapters.case_events import reclassified_by_designation_id
from tests.unit.triage_service.builders import ORIGIN_TOWNSHIP, T0, kafka_message, record

from .worker import ADMIN, TopicReader, TriageWorker, produce, topic_names, where_unhandled

pytestmark = pytest.mark.integration
PARTITIONS = 6
BEFORE = 36  # people with a case before the stop
DURING = 48  # new people whose first record arrives around the stop, in waves
WAVE = 4
NOTICE = "n-scale-out"


def partition_of(key: str) -> int:
    return int(DefaultPartitioner()(key.encode(), list(range(PARTITIONS)),
                                    list(range(PARTITIONS))))


async def stream(bootstrap: str, topic: str, events: list[RecordReceived]) -> None:
    """A wave of records every 0.25 s: records keep coming across the stop."""
    for first in range(0, len(events), WAVE):
        wave = events[first:first + WAVE]
        await produce(bootstrap, topic, [(r, kafka_message(r)) for r in wave])
        await asyncio.sleep(0.25)


async def designate(url: str) -> str:
    body = {"level": "high", "area_name": "测试街道", "notice_id": NOTICE,
            "effective_from": (T0 - timedelta(days=10)).isoformat()}
    async with httpx.AsyncClient(base_url=url, timeout=20, headers=ADMIN) as client:
        answer = await client.put(f"/v1/risk-areas/{ORIGIN_TOWNSHIP}", json=body)
    assert answer.status_code == 202, answer.text
    return str(answer.json()["event_id"])


def final_state(envelopes: list[Envelope]) -> dict[str, list[Envelope]]:
    """Each case's distinct events in the order they are on the topic (one case, one key). A
    re-emitted id with other content (the known limit the test warns about) replaces the copy
    before it, as triage's own state and tasking do."""
    by_case: dict[str, list[Envelope]] = defaultdict(list)
    for e in envelopes:
        if not hasattr(e.event, "case_id"):
            continue
        events = by_case[e.event.case_id]
        same = [i for i, known in enumerate(events) if known.id == e.id]
        if not same:
            events.append(e)
        elif events[same[0]].event != e.event:
            events[same[0]] = e
    return by_case


async def scenario(first: TriageWorker, second: TriageWorker, bootstrap: str,
                   stop: Callable[[], object], designate_before_stop: bool) -> None:
    records_topic, cases_topic = topic_names(first.namespace)
    early = [record(p) for p in range(1, BEFORE + 1)]
    late = [record(p) for p in range(1000, 1000 + DURING)]
    again = [record(p, feed=Feed.SELFREPORT) for p in range(1, BEFORE + 1, 3)]
    assert {partition_of(r.person_key) for r in late} == set(range(PARTITIONS))
    people = {r.person_key for r in early + late}
    try:
        first.start()
        second.start()
        await asyncio.gather(first.ready(), second.ready())
        async with TopicReader(bootstrap, cases_topic) as cases:
            await produce(bootstrap, records_topic, [(r, kafka_message(r)) for r in early])
            await cases.until(lambda es: len({e.event.person_key for e in es
                                              if isinstance(e.event, CaseOpened)}) == BEFORE,
                              second, patience=120)
            streaming = asyncio.create_task(stream(bootstrap, records_topic, late + again))
            await asyncio.sleep(1.0)
            if designate_before_stop:
                event_id = await designate(second.url)
                await asyncio.sleep(0.3)
                await asyncio.to_thread(stop)
            else:
                stopping = asyncio.create_task(asyncio.to_thread(stop))
                await asyncio.sleep(0.5)
                event_id = await designate(second.url)
                await stopping
            await streaming

            def settled(es: list[Envelope]) -> bool:
                state = final_state(es)
                opened = {e.event.person_key for e in es if isinstance(e.event, CaseOpened)}
                # A second record is merged, or raises the case when the designation reached
                # the worker before that partition's re-triage command did.
                taken = {s.record_id for e in es
                         if isinstance(e.event, CaseMerged | CaseReclassified)
                         for s in e.event.sources}
                return (opened == people and taken >= {r.record_id for r in again}
                        and all(events[-1].event.category.value == "high_risk_area"
                                for events in state.values()))

            try:
                envelopes = await cases.until(settled, second, patience=120)
            except AssertionError:
                state = final_state(cases.envelopes)
                stuck = {c for c, es in state.items()
                         if es[-1].event.category.value != "high_risk_area"}
                raw = [(e.event.case_id[:8], type(e.event).__name__, e.id[:8],
                        e.event.category.value) for e in cases.envelopes
                       if getattr(e.event, "case_id", None) in stuck]
                opened = {e.event.person_key for e in cases.envelopes
                          if isinstance(e.event, CaseOpened)}
                missing = sorted(partition_of(k) for k in people - opened)
                where = await where_unhandled(bootstrap, f"{first.namespace}-triage",
                                              records_topic, people - opened)
                raise AssertionError(f"{len(stuck)} cases missed the designation: {raw[:12]}; "
                                     f"people without a case on partitions {missing} ({where}); "
                                     f"{first.tail(1500)}"
                                     f"\n{second.tail(3000)}") from None
        second.alive()
    finally:
        first.stop()
        second.stop()

    opened_by_person: dict[str, set[str]] = defaultdict(set)
    for e in envelopes:
        if isinstance(e.event, CaseOpened):
            opened_by_person[e.event.person_key].add(e.event.case_id)
    assert set(opened_by_person) == people
    assert all(len(ids) == 1 for ids in opened_by_person.values()), "a person got two cases"
    contents: dict[str, set[str]] = defaultdict(set)
    for e in envelopes:
        contents[e.id].add(e.event.category.value)
    twice = [i for i, c in contents.items() if len(c) > 1]
    if twice:  # docs/triage.md "Known limits": a kill -9 between the events and the table
        # writes re-emits an id classified with a designation learnt in between. Rare (seen in
        # 1 of ~10 runs here); reported, not failed on, so the rest of the test keeps guarding.
        warnings.warn(f"{len(twice)} event id(s) re-emitted with a stricter category "
                      "(known limit, docs/triage.md)", stacklevel=1)
    for case_id, events in final_state(envelopes).items():
        assert events[-1].event.category.value == "high_risk_area", case_id
        expected = reclassified_by_designation_id(case_id, ORIGIN_TOWNSHIP, NOTICE, event_id)
        raised = [e for e in events if isinstance(e.event, CaseReclassified)
                  and e.event.previous_category.value == "none"]
        assert len([e for e in raised if e.id == expected]) <= 1, case_id
        if events[0].event.category.value == "none":  # opened before the designation reached
            assert len(raised) == 1, case_id  # it: raised once (by it, or a later record)


async def test_sigterm_during_a_designation_loses_no_reclassification(worker, kafka_bootstrap,
                                                                       tmp_path):
    other = TriageWorker(kafka_bootstrap, worker.namespace, tmp_path / "other")
    await scenario(worker, other, kafka_bootstrap, worker.stop, designate_before_stop=True)


async def test_kill_9_during_a_designation_loses_no_reclassification(worker, kafka_bootstrap,
                                                                     tmp_path):
    other = TriageWorker(kafka_bootstrap, worker.namespace, tmp_path / "other")
    await scenario(worker, other, kafka_bootstrap, worker.kill, designate_before_stop=False)
