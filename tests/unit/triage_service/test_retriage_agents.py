"""Designations through both agents: the designate agent keeps them and fans a re-triage command
out to every case partition; the case agent raises the open cases a designation now covers and
keeps would-be downgrades for review."""

from __future__ import annotations

from datetime import timedelta

from contracts.envelope import decode_envelope
from contracts.events import CaseReclassified, RiskAreaDesignated
from services.triage.adapters.commands import decode_command
from services.triage.adapters.mapping import designation_from_event, encode_notices, notices_events
from services.triage.designations import learn_designations
from services.triage.domain import RiskAreaRegistry

from .builders import ORIGIN_TOWNSHIP, T0, designation, kafka_message, key_of, record
from .conftest import PARTITIONS, ce_types, sent


async def _designate(triage, event):
    async with triage.agents["designate"].test_context() as agent:
        await agent.put(**kafka_message(event, source="/paicha/triage"))
    return sent(triage, triage.topics.commands)


async def _run_commands(triage, commands):
    async with triage.agents["triage_cases"].test_context() as agent:
        for command in commands:
            await agent.put(command.value, key=command.key, headers=command.headers,
                            partition=command.partition)


async def test_a_designation_is_kept_and_fanned_out_to_every_partition(triage):
    event = designation()
    commands = await _designate(triage, event)
    assert sorted(c.partition for c in commands) == list(range(PARTITIONS))
    assert {decode_command(c.value).designation.notice_id for c in commands} == {"notice-1"}
    kept = notices_events(triage.designations_by_area[ORIGIN_TOWNSHIP])
    assert [e.notice_id for e in kept] == ["notice-1"]
    assert triage.registry.get(ORIGIN_TOWNSHIP, "notice-1") is not None
    assert triage.metrics.designations.labels("high")._value.get() == 1


async def test_the_same_designation_again_is_not_fanned_out_again(triage):
    await _designate(triage, designation())
    again = designation(designated_at=T0 + timedelta(days=1))  # only the sending time differs
    all_commands = await _designate(triage, again)
    assert len(all_commands) == PARTITIONS  # the first fan-out only


async def test_a_designation_after_the_record_raises_the_open_case(triage):
    async with triage.agents["triage_cases"].test_context() as agent:
        await agent.put(**kafka_message(record(1)), partition=2)
    commands = await _designate(triage, designation(level="high"))
    await _run_commands(triage, commands)
    events = [decode_envelope(m.headers, m.value, m.key).event
              for m in sent(triage, triage.topics.cases)]
    opened, raised = events
    assert isinstance(raised, CaseReclassified)
    assert raised.case_id == opened.case_id
    assert (raised.previous_category.value, raised.category.value) == ("none",
                                                                        "high_risk_area")
    assert raised.notice_ids == ["notice-1"]
    # only partition 2's command touched the case: one event, not one per partition
    assert len(events) == 2


async def test_replaying_the_commands_changes_nothing(triage):
    async with triage.agents["triage_cases"].test_context() as agent:
        await agent.put(**kafka_message(record(1)))
    commands = await _designate(triage, designation())
    await _run_commands(triage, commands)
    await _run_commands(triage, commands)
    assert ce_types(sent(triage, triage.topics.cases)).count(
        "cn.paicha.triage.case.reclassified.v1") == 1


async def test_a_lifted_designation_is_noticed_not_applied(triage):
    commands = await _designate(triage, designation(level="high"))
    await _run_commands(triage, commands)  # nothing open yet
    async with triage.agents["triage_cases"].test_context() as agent:
        await agent.put(**kafka_message(record(1)))
    triage.publisher.sent.clear()
    # the same notice corrected: it ended before the person was there
    lifted = designation(level="high", effective_to=T0 - timedelta(days=9))
    await _run_commands(triage, await _designate(triage, lifted))
    assert not sent(triage, triage.topics.cases)  # no downgrade is ever published
    [kept] = list(triage.downgrade_notices_by_case.values())
    assert b"high_risk_area" in kept and b"notice-1" in kept
    assert triage.metrics.downgrades._value.get() == 1
    stored_category = triage.cases_by_person[key_of(1)]
    assert b'"category":"high_risk_area"' in stored_category


async def test_downgrades_of_every_case_partition_land_in_the_one_global_table(triage):
    from services.triage.adapters.worker_port import WorkerPort

    await _run_commands(triage, await _designate(triage, designation(level="high")))
    async with triage.agents["triage_cases"].test_context() as agent:
        for person, partition in ((1, 0), (2, 2)):
            await agent.put(**kafka_message(record(person)), partition=partition)
    lifted = designation(level="high", effective_to=T0 - timedelta(days=9))
    await _run_commands(triage, await _designate(triage, lifted))
    table = triage.downgrade_notices_by_case
    assert table.is_global and table.partitions == 1
    listed = WorkerPort(triage).downgrades()
    assert sorted(d["person_key"] for d in listed) == sorted([key_of(1), key_of(2)])
    assert {d["would_be"] for d in listed} == {"none"}


async def test_each_partition_keeps_the_designations_it_was_retriaged_for(triage):
    commands = await _designate(triage, designation())
    await _run_commands(triage, commands[:2])
    kept = dict(triage.designations_by_partition.items())
    assert sorted(kept) == sorted(f"{c.partition}/{ORIGIN_TOWNSHIP}/notice-1"
                                  for c in commands[:2])
    assert {RiskAreaDesignated.model_validate_json(v).notice_id for v in kept.values()} == {
        "notice-1"}


def test_a_worker_taking_a_partition_over_learns_what_its_global_copy_lacks():
    """The case the gap was about: the partition was re-triaged on another worker, this one's
    GlobalTable copy has not caught up. The registry learns the designation; one it knows (or
    knows newer) is left alone."""
    first = designation(notice_id="n-1")
    applied = [first.model_dump_json().encode()]
    registry = RiskAreaRegistry()
    assert learn_designations(applied, {}, registry) == 1
    assert registry.get(ORIGIN_TOWNSHIP, "n-1") is not None
    assert learn_designations(applied, {}, registry) == 0  # known now
    corrected = designation(notice_id="n-1", level="low", designated_at=T0 + timedelta(hours=2))
    areas = {ORIGIN_TOWNSHIP: encode_notices({"n-1": corrected.model_dump_json().encode()})}
    fresh = RiskAreaRegistry([designation_from_event(corrected)])
    assert learn_designations(applied, areas, fresh) == 0  # never reverts a newer notice
    assert fresh.get(ORIGIN_TOWNSHIP, "n-1").level.value == "low"
    older = {ORIGIN_TOWNSHIP: encode_notices({"n-1": designation(
        notice_id="n-1", level="low", designated_at=T0).model_dump_json().encode()})}
    stale = RiskAreaRegistry([designation_from_event(designation(notice_id="n-1", level="low"))])
    assert learn_designations(applied, older, stale) == 1  # the partition's is newer
    assert stale.get(ORIGIN_TOWNSHIP, "n-1").level.value == "high"
