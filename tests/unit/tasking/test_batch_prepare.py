"""The bulk step before a batch's messages are handled: a person's records in the batch make one
contact document (in order, each record once), and a failing bulk step never stops the batch
(its handlers then take the single-document path). The bulk path itself on the real store:
tests/integration/tasking/test_bulk_batches.py."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

import pytest
from prometheus_client import CollectorRegistry
from pymongo.errors import AutoReconnect

from contracts.envelope import Envelope, decode_envelope, derived_event_id, encode
from services.tasking.adapters.kafka_publisher import KafkaPublisher
from services.tasking.adapters.mongo_store import TaskStore
from services.tasking.clock import ManualClock
from services.tasking.handlers import Batch, Tasking, _with_records
from services.tasking.metrics import TaskingMetrics
from services.tasking.scheduler import Scheduler
from tests.integration.tasking.helpers import case, record
from tests.unit.tasking.builders import POLICY, T0


def _envelope(event: Any) -> Envelope:
    message = encode(event, source="/test", key=event.entity_key(),
                     event_id=derived_event_id("test", event.model_dump_json()))
    return decode_envelope(message.headers, message.value, message.key)


def test_a_persons_records_of_one_batch_make_one_contact_document() -> None:
    first, later = record(1, now=T0), record(2, now=T0 + timedelta(minutes=5))
    later = later.model_copy(update={"person_key": first.person_key})
    doc = _with_records(None, [first, later, first])
    assert doc is not None and doc["_id"] == first.person_key
    assert [r["record_id"] for r in doc["records"]] == ["rec-1", "rec-2"]
    assert doc["person"]["name"] == later.person.name  # the latest record's details
    assert _with_records({**doc, "version": 3}, [later, first]) is None  # all in it already


class FailingStore:
    """The store of these unit tests: every bulk insert fails as given; no tasks."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    async def insert_contacts(self, docs: list[dict[str, Any]]) -> set[str]:
        raise self.error

    async def open_summary(self) -> list[dict[str, Any]]:
        return []

    async def timers(self) -> list[tuple[str, str, Any]]:
        return []


@pytest.mark.parametrize("error", [AutoReconnect("store away"), RuntimeError("a bug")])
async def test_a_failing_bulk_step_leaves_the_batch_to_its_handlers(error: Exception) -> None:
    clock = ManualClock(T0)
    metrics = TaskingMetrics(CollectorRegistry())
    tasking = Tasking(cast(TaskStore, FailingStore(error)), cast(KafkaPublisher, None), POLICY,
                      clock, metrics, Scheduler(clock, metrics))
    batch = Batch()
    await tasking._prepare(batch, [_envelope(record(1, now=T0)), _envelope(case(1, now=T0))])
    assert batch.fresh == set() and batch.created == {} and batch.contacts == {}


async def test_the_contacts_kept_are_forgotten_at_every_rebalance() -> None:
    """Kept copies of this process's contact writes are exact only while the assignment holds
    (then it is the only writer of its records' people); a rebalance forgets them."""
    clock = ManualClock(T0)
    metrics = TaskingMetrics(CollectorRegistry())
    tasking = Tasking(cast(TaskStore, FailingStore(RuntimeError())),
                      cast(KafkaPublisher, None), POLICY, clock, metrics,
                      Scheduler(clock, metrics))
    tasking.owned_by_consumer()
    written = {"_id": "pk-1", "person": {"name": "测试"}, "records": [], "version": 1}
    tasking._remember(written)
    tasking._remember({"_id": "pk-2", "records": []})  # an empty one is never kept
    assert list(tasking._recent) == ["pk-1"]
    tasking.hand_over({3})
    assert not tasking._recent
    tasking._remember(written)
    await tasking.take_over({1, 2}, 6)
    assert not tasking._recent
