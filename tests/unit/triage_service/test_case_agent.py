"""The case agent through faust's test_context: what each record does to the person's case, and
what reaches the cases and rejected topics."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import orjson

from contracts.envelope import decode_envelope
from contracts.events import CaseMerged, CaseOpened, CaseReclassified, Exposure, Feed, InputRejected
from services.triage.adapters.case_codec import decode_case
from services.triage.adapters.case_events import opened_id

from .builders import T0, kafka_message, key_of, record
from .conftest import ce_types, sent

CASE_OPENED = "cn.paicha.triage.case.opened.v1"


def events_on(triage, topic):
    return [decode_envelope(m.headers, m.value, m.key) for m in sent(triage, topic)]


async def test_first_record_of_a_person_opens_a_case(triage):
    async with triage.agents["triage_cases"].test_context() as agent:
        await agent.put(**kafka_message(record(1)), partition=1)
    [envelope] = events_on(triage, triage.topics.cases)
    opened = envelope.event
    assert isinstance(opened, CaseOpened)
    assert opened.person_key == key_of(1)
    assert opened.category.value == "none"  # no designation anywhere yet
    assert opened.policy_version == triage.policy.version
    assert [s.record_id for s in opened.sources] == ["rec-1-bigdata"]
    assert envelope.id == opened_id(opened.case_id, "rec-1-bigdata")
    assert envelope.key == opened.case_id
    stored = decode_case(triage.cases_by_person[key_of(1)])
    assert stored.partition == 1 and stored.case.case_id == opened.case_id


async def test_second_record_of_the_same_person_merges_into_the_case(triage):
    async with triage.agents["triage_cases"].test_context() as agent:
        await agent.put(**kafka_message(record(1)))
        await agent.put(**kafka_message(record(1, feed=Feed.SELFREPORT)))
    opened, merged = (e.event for e in events_on(triage, triage.topics.cases))
    assert isinstance(merged, CaseMerged)
    assert merged.case_id == opened.case_id
    assert merged.merged.feed is Feed.SELFREPORT
    assert {s.feed for s in merged.sources} == {Feed.BIGDATA, Feed.SELFREPORT}
    assert merged.category == opened.category


async def test_close_contact_record_reclassifies_the_case_upward(triage):
    async with triage.agents["triage_cases"].test_context() as agent:
        await agent.put(**kafka_message(record(1)))
        contact = record(1, feed=Feed.CONTACTS, exposure=Exposure.CLOSE_CONTACT,
                         received_at=T0 + timedelta(hours=1))
        await agent.put(**kafka_message(contact))
    opened, raised = (e.event for e in events_on(triage, triage.topics.cases))
    assert isinstance(raised, CaseReclassified)
    assert raised.case_id == opened.case_id
    assert raised.previous_category.value == "none"
    assert raised.category.value == "close_contact"
    assert raised.measure.value == "centralized_quarantine"
    assert raised.verification_due_at == contact.received_at + timedelta(hours=2)
    assert triage.metrics.reclassifications.labels("record", "close_contact")._value.get() == 1


async def test_a_less_severe_record_later_never_downgrades(triage):
    async with triage.agents["triage_cases"].test_context() as agent:
        await agent.put(**kafka_message(record(1, feed=Feed.CONTACTS,
                                               exposure=Exposure.CLOSE_CONTACT)))
        await agent.put(**kafka_message(record(1, feed=Feed.SCREENING)))
    _, merged = (e.event for e in events_on(triage, triage.topics.cases))
    assert isinstance(merged, CaseMerged) and merged.category.value == "close_contact"


async def test_duplicate_record_produces_nothing(triage):
    async with triage.agents["triage_cases"].test_context() as agent:
        await agent.put(**kafka_message(record(1)))
        await agent.put(**kafka_message(record(1)))  # redelivered
        # the same source record again, under a new intake record id
        await agent.put(**kafka_message(record(1, record_id="rec-again",
                                               source_record_id="src-rec-1-bigdata")))
    assert ce_types(sent(triage)) == [CASE_OPENED]
    assert triage.metrics.duplicates._value.get() == 2


async def test_people_get_one_case_each(triage):
    async with triage.agents["triage_cases"].test_context() as agent:
        for person in (1, 2, 3):
            await agent.put(**kafka_message(record(person)))
    opened = [e.event for e in events_on(triage, triage.topics.cases)]
    assert len({o.case_id for o in opened}) == 3


async def test_garbage_goes_to_the_rejected_topic_and_the_agent_goes_on(triage):
    async with triage.agents["triage_cases"].test_context() as agent:
        await agent.put(b"\xff not json", key=b"k", headers=[("ce_type", b"nonsense")])
        good = kafka_message(record(1))
        await agent.put(b"{not json", key=good["key"], headers=good["headers"])
        body = orjson.loads(good["value"])
        del body["person_key"]
        await agent.put(orjson.dumps(body), key=good["key"], headers=good["headers"])
        await agent.put(**kafka_message(record(2)))
    rejected = [e.event for e in events_on(triage, triage.topics.rejected)]
    assert all(isinstance(r, InputRejected) for r in rejected)
    assert [r.reason.value for r in rejected] == ["invalid_value", "not_json", "missing_field"]
    assert rejected[2].field == "person_key" and rejected[2].feed == "bigdata"
    assert ce_types(sent(triage, triage.topics.cases)) == [CASE_OPENED]


async def test_a_record_under_another_key_is_rejected(triage):
    message = kafka_message(record(1))
    async with triage.agents["triage_cases"].test_context() as agent:
        await agent.put(message["value"], key=b"someone-else", headers=message["headers"])
    [rejected] = [e.event for e in events_on(triage, triage.topics.rejected)]
    assert rejected.field == "key"
    assert not sent(triage, triage.topics.cases)


async def test_when_kafka_refuses_the_output_the_batch_is_not_applied(triage):
    triage.publisher.fail = True
    agent_def = triage.agents["triage_cases"]
    async with agent_def.test_context() as agent:
        await agent.put(**kafka_message(record(1)), wait=False)
        for _ in range(100):
            if triage.on_fatal.errors:
                break
            await asyncio.sleep(0.01)
    assert triage.on_fatal.errors, "the worker was not told to stop"
    assert triage.cases_by_person.get(key_of(1)) is None  # redelivery will open the case


async def test_an_arrival_from_abroad_opens_an_inbound_case(triage):
    async with triage.agents["triage_cases"].test_context() as agent:
        await agent.put(**kafka_message(record(1, origin=None, origin_country="JP")))
    [envelope] = events_on(triage, triage.topics.cases)
    opened = envelope.event
    assert isinstance(opened, CaseOpened)
    assert (opened.category.value, opened.risk_level.value) == ("inbound", "none")
    assert (opened.measure.value, opened.measure_days) == ("centralized_quarantine", 7)
    assert (opened.followup_measure.value, opened.followup_days) == ("health_monitoring", 3)
    assert opened.test_days == [1, 2, 3, 5, 7, 10]
    assert opened.origin_area_code is None and "abroad (JP)" in opened.reason
    stored = decode_case(triage.cases_by_person[key_of(1)])
    assert stored.case.records[0].origin_country == "JP"  # kept for re-triage and restarts
