"""Closing cases on a real broker: CaseResolved on tasking's resolutions topic closes the case
(one CaseClosed id however often the resolution comes, across a kill -9), and the person's next
record opens a new case."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from contracts.events import CaseClosed, CaseMerged, CaseOpened
from contracts.topics import RESOLUTIONS, registry
from services.triage.adapters.case_events import closed_id
from tests.unit.triage_service.builders import T0, kafka_message, record, resolution

from .worker import TopicReader, produce, topic_names

pytestmark = pytest.mark.integration
PEOPLE = 6


def of(envelopes, kind):
    return [e for e in envelopes if isinstance(e.event, kind)]


async def test_resolutions_close_cases_once_and_new_records_open_new_cases(worker,
                                                                           kafka_bootstrap):
    records_topic, cases_topic = topic_names(worker.namespace)
    resolutions_topic = registry(worker.namespace).name(RESOLUTIONS)
    people = range(1, PEOPLE + 1)
    async with TopicReader(kafka_bootstrap, cases_topic) as cases:
        worker.start()
        await worker.ready()
        first = [record(p) for p in people]
        await produce(kafka_bootstrap, records_topic, [(r, kafka_message(r)) for r in first])
        envelopes = await cases.until(lambda es: len(of(es, CaseOpened)) == PEOPLE, worker)
        case_of = {e.event.person_key: e.event.case_id for e in of(envelopes, CaseOpened)}

        # Close every case but the last person's, and a stale resolution for the last one.
        done = [resolution(p, case_of[record(p).person_key], task_id=f"task-{p}")
                for p in people[:-1]]
        stale = resolution(PEOPLE, "a-case-that-is-not-open")
        sends = [(r, kafka_message(r, source="/paicha/tasking")) for r in [*done, stale]]
        await produce(kafka_bootstrap, resolutions_topic, sends)
        await cases.until(lambda es: len(of(es, CaseClosed)) >= PEOPLE - 1, worker)

        # kill -9, then the same resolutions again (a tasking retry) and new records.
        worker.kill()
        worker.start()
        await worker.ready()
        await produce(kafka_bootstrap, resolutions_topic, sends)
        later = [record(p, record_id=f"rec-{p}-later", received_at=T0 + timedelta(days=30))
                 for p in people]
        await produce(kafka_bootstrap, records_topic, [(r, kafka_message(r)) for r in later])
        last_key = first[-1].person_key
        envelopes = await cases.until(
            lambda es: len({e.id for e in of(es, CaseOpened)}) == 2 * PEOPLE - 1
            and any(e.event.person_key == last_key for e in of(es, CaseMerged)),
            worker, patience=90)

    closed_ids = Counter(e.id for e in of(envelopes, CaseClosed))
    assert set(closed_ids) == {closed_id(case_of[r.person_key]) for r in first[:-1]}
    # the last person's case was never closed: the later record merged into it
    assert not [e for e in of(envelopes, CaseClosed) if e.event.person_key == last_key]
    reopened = {e.event.person_key: e.event.case_id for e in of(envelopes, CaseOpened)
                if e.event.sources[0].record_id.endswith("-later")}
    assert set(reopened) == {r.person_key for r in first[:-1]}
    assert all(reopened[k] != case_of[k] for k in reopened)
