"""How the consumer splits a batch: messages about one person or one case share a group (the
union of both keys), a group keeps each topic's offset order with its records first, and a
message that is not a valid event is a counted dead letter, not part of any group."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiokafka import ConsumerRecord
from prometheus_client import CollectorRegistry

from contracts import events as ev
from contracts.envelope import derived_event_id, encode
from paicha_runtime.kafka import KafkaSettings
from services.tasking.adapters.consumer import InputConsumer
from services.tasking.metrics import TaskingMetrics
from tests.integration.tasking.helpers import case, record

NOW = datetime(2022, 6, 1, 8, tzinfo=UTC)


def _message(event: ev.Event, offset: int) -> ConsumerRecord[Any, Any]:
    msg = encode(event, source="/test", key=event.entity_key(),
                 event_id=derived_event_id("test", event.model_dump_json()))
    return ConsumerRecord(event.topic, 0, offset, 0, 0, msg.key, msg.value, None, 0, 0,
                          msg.headers)


def _consumer(metrics: TaskingMetrics) -> InputConsumer:
    async def handle(_: Any) -> None:
        return None
    return InputConsumer(KafkaSettings(), [], handle, metrics, group_id="g")


def test_a_batch_is_grouped_by_person_and_case_records_first_order_kept() -> None:
    metrics = TaskingMetrics(CollectorRegistry())
    reclassified = case(1, now=NOW, kind=ev.CaseReclassified, previous_category="none",
                        previous_risk_level="none", previous_measure="none")
    bad = ConsumerRecord("paicha.triage.cases.v1", 0, 9, 0, 0, b"k", b"not json", None, 0, 0,
                         [])
    messages = [_message(case(1, now=NOW), 0), _message(case(2, now=NOW), 1), bad,
                _message(record(1, now=NOW), 2), _message(reclassified, 3),
                _message(record(2, now=NOW), 4)]
    groups = _consumer(metrics)._groups(messages)
    offsets = sorted([[m.offset for m, _ in group] for group in groups])
    assert offsets == [[2, 0, 3], [4, 1]]  # person 1: record, then its cases in order
    dead = [s for m in metrics.dead_letters.collect() for s in m.samples
            if s.name.endswith("_total")]
    assert [(s.labels["topic"], s.value) for s in dead] == [("paicha.triage.cases.v1", 1.0)]
    assert sum(len(g) for g in groups) == 5  # the bad message is in none
