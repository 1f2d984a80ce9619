"""Closing cases through the case agent: tasking's CaseResolved closes the person's open case
(CaseClosed on the cases topic, deterministic id), a repeated or stale resolution changes
nothing, and the person's next record opens a new case."""

from __future__ import annotations

from datetime import timedelta

from contracts.envelope import decode_envelope
from contracts.events import CaseClosed, CaseMerged, CaseOpened, Exposure, Feed, InputRejected
from services.triage.adapters.case_codec import decode_case
from services.triage.adapters.case_events import closed_id
from services.triage.domain import CaseStatus

from .builders import T0, kafka_message, key_of, record, resolution
from .conftest import put_on, sent

CLOSED = "cn.paicha.triage.case.closed.v1"


def case_events(triage):
    return [decode_envelope(m.headers, m.value, m.key) for m in sent(triage, triage.topics.cases)]


async def open_case(agent, person=1, **changes):
    await agent.put(**kafka_message(record(person, **changes)))


async def resolve(agent, triage, event, partition=0):
    await put_on(agent, triage.topics.resolutions, partition=partition,
                 **kafka_message(event, source="/paicha/tasking"))


async def test_a_resolution_closes_the_open_case_and_the_next_record_opens_a_new_one(triage):
    async with triage.agents["triage_cases"].test_context() as agent:
        await open_case(agent, 1, exposure=Exposure.CLOSE_CONTACT)
        [opened] = [e.event for e in case_events(triage)]
        await resolve(agent, triage, resolution(1, opened.case_id,
                                                resolution="measure_completed"))
        later = T0 + timedelta(days=40)
        await agent.put(**kafka_message(record(1, record_id="rec-again", received_at=later)))
    _, closed_env, reopened_env = case_events(triage)
    closed = closed_env.event
    assert isinstance(closed, CaseClosed)
    assert closed.case_id == opened.case_id and closed.person_key == key_of(1)
    assert (closed.resolution, closed.task_id) == ("measure_completed", "task-1")
    assert closed.category.value == "close_contact"  # the last classification
    assert closed_env.id == closed_id(opened.case_id)
    assert closed_env.key == opened.case_id
    reopened = reopened_env.event
    assert isinstance(reopened, CaseOpened)
    assert reopened.case_id != opened.case_id
    assert [s.record_id for s in reopened.sources] == ["rec-again"]
    stored = decode_case(triage.cases_by_person[key_of(1)])
    assert stored.case.case_id == reopened.case_id and stored.case.status is CaseStatus.OPEN
    assert triage.metrics.closed.labels("measure_completed")._value.get() == 1


async def test_a_repeated_resolution_closes_nothing_twice(triage):
    async with triage.agents["triage_cases"].test_context() as agent:
        await open_case(agent, 1)
        case_id = case_events(triage)[0].event.case_id
        await resolve(agent, triage, resolution(1, case_id))
        await resolve(agent, triage, resolution(1, case_id))
        await resolve(agent, triage, resolution(1, case_id, task_id="task-2"))
    assert [e.type for e in case_events(triage)].count(CLOSED) == 1
    assert triage.metrics.resolutions_ignored.labels("repeated")._value.get() == 2
    assert decode_case(triage.cases_by_person[key_of(1)]).case.status is CaseStatus.CLOSED


async def test_a_stale_or_unknown_resolution_leaves_the_open_case_alone(triage):
    async with triage.agents["triage_cases"].test_context() as agent:
        await open_case(agent, 1)
        case_id = case_events(triage)[0].event.case_id
        await resolve(agent, triage, resolution(1, "an-older-case"))
        await resolve(agent, triage, resolution(2, "never-seen"))
        await agent.put(**kafka_message(record(1, feed=Feed.SELFREPORT)))
    events = [e.event for e in case_events(triage)]
    assert [type(e) for e in events] == [CaseOpened, CaseMerged]
    assert events[1].case_id == case_id
    assert triage.metrics.resolutions_ignored.labels("stale")._value.get() == 1
    assert triage.metrics.resolutions_ignored.labels("unknown")._value.get() == 1


async def test_a_redelivered_record_of_a_closed_case_opens_nothing(triage):
    async with triage.agents["triage_cases"].test_context() as agent:
        await open_case(agent, 1)
        case_id = case_events(triage)[0].event.case_id
        await resolve(agent, triage, resolution(1, case_id))
        await open_case(agent, 1)  # the very record again (redelivery, replay)
    assert [e.type for e in case_events(triage)][-1] == CLOSED
    assert triage.metrics.duplicates._value.get() == 1


async def test_a_resolution_under_another_key_is_rejected(triage):
    async with triage.agents["triage_cases"].test_context() as agent:
        message = kafka_message(resolution(1, "c-1"), source="/paicha/tasking")
        message["key"] = key_of(2).encode()
        await put_on(agent, triage.topics.resolutions, **message)
        # and a record put on the resolutions topic is refused, not applied
        await put_on(agent, triage.topics.resolutions, **kafka_message(record(3)))
    rejected = [decode_envelope(m.headers, m.value, m.key).event
                for m in sent(triage, triage.topics.rejected)]
    assert all(isinstance(r, InputRejected) for r in rejected) and len(rejected) == 2
    assert rejected[0].field == "key" and rejected[1].field == "ce_type"
    assert case_events(triage) == []


async def test_closing_survives_a_restart_of_the_batch_without_its_table_write(triage):
    """A crash after CaseClosed went out but before the table write: the redelivered
    resolution finds the case open and re-emits the same event id (idempotent downstream)."""
    async with triage.agents["triage_cases"].test_context() as agent:
        await open_case(agent, 1)
        case_id = case_events(triage)[0].event.case_id
        before = triage.cases_by_person[key_of(1)]
        await resolve(agent, triage, resolution(1, case_id))
        triage.cases_by_person.data[key_of(1)] = before  # the write lost with the crash
        await resolve(agent, triage, resolution(1, case_id))
    closings = [e for e in case_events(triage) if e.type == CLOSED]
    assert len(closings) == 2 and closings[0].id == closings[1].id == closed_id(case_id)


async def test_closing_a_case_drops_its_downgrades_from_the_review_list(triage):
    from services.triage.adapters.worker_port import WorkerPort

    from .builders import designation
    from .test_retriage_agents import _designate, _run_commands

    await _run_commands(triage, await _designate(triage, designation(level="high")))
    async with triage.agents["triage_cases"].test_context() as agent:
        await open_case(agent, 1)
        await open_case(agent, 2)
    lifted = designation(level="high", effective_to=T0 - timedelta(days=9))
    await _run_commands(triage, await _designate(triage, lifted))
    assert len(WorkerPort(triage).downgrades()) == 2
    first = next(e.event for e in case_events(triage) if e.event.person_key == key_of(1))
    async with triage.agents["triage_cases"].test_context() as agent:
        await resolve(agent, triage, resolution(1, first.case_id))
    assert [d["person_key"] for d in WorkerPort(triage).downgrades()] == [key_of(2)]
