"""A triage worker killed (kill -9) mid-stream and restarted recovers its tables from their
changelogs: every person ends with exactly one case, later records merge into it, and nothing
is missing from the cases topic."""

from __future__ import annotations

from collections import defaultdict

import pytest

from contracts.events import CaseMerged, CaseOpened, Feed
from tests.unit.triage_service.builders import kafka_message, key_of, record

from .worker import TopicReader, produce, topic_names

pytestmark = pytest.mark.integration
PEOPLE = 40


def by_person(envelopes, kind):
    """Distinct event ids and case ids per person for one event type (re-emissions collapse)."""
    ids, cases = defaultdict(set), defaultdict(set)
    for e in envelopes:
        if isinstance(e.event, kind):
            ids[e.event.person_key].add(e.id)
            cases[e.event.person_key].add(e.event.case_id)
    return ids, cases


def batch(people, feed):
    return [(r, kafka_message(r)) for r in (record(p, feed=feed) for p in people)]


async def test_restart_recovers_cases_and_emits_no_duplicate_case(worker, kafka_bootstrap):
    records_topic, cases_topic = topic_names(worker.namespace)
    first = batch(range(1, PEOPLE + 1), Feed.BIGDATA)
    second = batch(range(1, PEOPLE + 1), Feed.SELFREPORT) + batch(
        range(PEOPLE + 1, PEOPLE + 11), Feed.BIGDATA)
    async with TopicReader(kafka_bootstrap, cases_topic) as cases:
        worker.start()
        await worker.ready()
        await produce(kafka_bootstrap, records_topic, first)
        await cases.until(lambda es: len(by_person(es, CaseOpened)[0]) == PEOPLE, worker)

        # Kill it while it works through the second batch, then start it again.
        await produce(kafka_bootstrap, records_topic, second)
        await cases.until(lambda es: len(es) >= PEOPLE + 5, worker)
        worker.kill()
        worker.start()
        await worker.ready()

        def complete(envelopes) -> bool:
            opened = by_person(envelopes, CaseOpened)[0]
            merged = by_person(envelopes, CaseMerged)[0]
            return len(opened) == PEOPLE + 10 and len(merged) == PEOPLE

        envelopes = await cases.until(complete, worker, patience=90)

        # After the restart the table must still know every case: a third record merges.
        third = batch(range(1, 6), Feed.SCREENING)
        await produce(kafka_bootstrap, records_topic, third)
        envelopes = await cases.until(
            lambda es: sum(len(v) for v in by_person(es, CaseMerged)[0].values())
            == PEOPLE + 5, worker)

    opened_ids, opened_cases = by_person(envelopes, CaseOpened)
    merged_ids, merged_cases = by_person(envelopes, CaseMerged)
    assert cases.undecodable == 0
    # One case per person: the same CaseOpened may be re-emitted (same ce_id), never a second.
    assert {p: len(i) for p, i in opened_ids.items() if len(i) != 1} == {}
    assert {p: c for p, c in opened_cases.items() if len(c) != 1} == {}
    assert set(opened_ids) == {key_of(p) for p in range(1, PEOPLE + 11)}
    for person, case_ids in merged_cases.items():
        assert case_ids == opened_cases[person], "a merge went to another case"
    assert {len(merged_ids[key_of(p)]) for p in range(1, 6)} == {2}
    assert worker.stop() == 0, worker.tail()
