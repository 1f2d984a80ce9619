"""The sweep: a record claimed but never confirmed (Kafka failed mid-call) is published by
intake itself, with the call's record id, event id and received_at, and only once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from prometheus_client import CollectorRegistry

from contracts.envelope import decode_envelope
from contracts.events import IntakeChannel, RecordReceived
from contracts.topics import registry
from services.intake.handlers import json_payload
from services.intake.metrics import IntakeMetrics
from services.intake.ports import Candidate, Unavailable, sweep_slot
from services.intake.sweeper import Sweeper
from tests.unit.intake.builders import record
from tests.unit.intake.fakes import T0, FakePublisher, FakeStore, make_intake

TOPIC = registry().for_event(RecordReceived).name


def sweeper(store: FakeStore, publisher: FakePublisher, now_offset: timedelta) -> Sweeper:
    return Sweeper(store, publisher, IntakeMetrics(CollectorRegistry()), records_topic=TOPIC,
                   interval_s=1, grace_s=60, slot_s=store.slot_s, lookback_s=3600,
                   clock=lambda: T0 + now_offset)


async def test_a_record_whose_call_failed_is_published_by_the_sweep_once():
    store, publisher = FakeStore(), FakePublisher()
    intake = make_intake(store, publisher)
    publisher.down = True
    with pytest.raises(Unavailable):
        await intake.submit("bigdata", IntakeChannel.HTTP,
                            [Candidate(0, record(), json_payload(record()))])
    [claim] = store.claims.values()
    assert claim.message is not None and not publisher.sent
    publisher.down = False

    early = sweeper(store, publisher, timedelta(seconds=30))  # within the grace: not yet
    store.cursor = None
    assert await early.sweep_once() == 0 and not publisher.sent

    later = sweeper(store, publisher, timedelta(minutes=3))
    assert await later.sweep_once() == 1
    [message] = publisher.sent
    assert message.message == claim.message  # the very message the failed call tried to send
    envelope = decode_envelope(message.message.headers, message.message.value)
    assert envelope.id == claim.record_id and envelope.event.received_at == T0
    assert envelope.event.channel == IntakeChannel.HTTP
    assert store.published == {claim.record_id}
    assert await later.sweep_once() == 0 and len(publisher.sent) == 1

    again = await intake.submit("bigdata", IntakeChannel.HTTP,
                                [Candidate(0, record(), json_payload(record()))])
    assert again.duplicates == [0] and len(publisher.sent) == 1


async def test_published_records_are_not_swept_and_an_outage_postpones_the_sweep():
    store, publisher = FakeStore(), FakePublisher()
    await make_intake(store, publisher).submit(
        "bigdata", IntakeChannel.HTTP, [Candidate(0, record(), json_payload(record()))])
    assert len(publisher.sent) == 1
    sweep = sweeper(store, publisher, timedelta(minutes=3))
    assert await sweep.sweep_once() == 0 and len(publisher.sent) == 1

    store.claims["x"] = store.claims[next(iter(store.claims))].__class__(
        "x", "bigdata", "src-x", T0, "http", publisher.sent[0].message)
    store.cursor = None
    publisher.down = True
    with pytest.raises(Unavailable):
        await sweep.sweep_once()
    # The cursor stops before the failed slot: the next run tries it again.
    assert store.cursor == sweep_slot(T0, store.slot_s) - 1
    publisher.down = False
    assert await sweep.sweep_once() == 1
