"""A consumer batch's bulk path on the real store and Kafka: new people's contacts and new cases'
tasks are inserted together and the relayed outboxes dropped together (counted in store
commands, so the test fails if the batch falls back to one document at a time); a redelivered
batch changes nothing; a known person's record, a task that exists and a case before its record
take the single-document path inside the same batch and still end announced once.

The batches are handed to ``Tasking.batch`` directly, as the consumer does (its messages in
group order, each person's records first), so their composition is exact."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from prometheus_client import CollectorRegistry
from pymongo import AsyncMongoClient, monitoring
from pymongo.asynchronous.database import AsyncDatabase

from contracts import events as ev
from contracts.envelope import Envelope, decode_envelope, derived_event_id, encode
from contracts.samples import sample_key
from paicha_runtime.mongo import MongoSettings
from services.tasking.adapters.mongo_store import TaskStore
from services.tasking.handlers import Tasking, task_id_for
from services.tasking.metrics import TaskingMetrics
from services.tasking.scheduler import Scheduler
from tests.integration.tasking.conftest import Running, types
from tests.integration.tasking.helpers import case, record

pytestmark = pytest.mark.integration
TASKS = "paicha.tasking.tasks.v1"


class Commands(monitoring.CommandListener):
    """(command, collection) of every command the store was sent since the last ``take``."""

    def __init__(self) -> None:
        self.seen: Counter[tuple[str, str]] = Counter()

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        target = event.command.get(event.command_name)
        self.seen[(event.command_name, target if isinstance(target, str) else "")] += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass

    def take(self) -> Counter[tuple[str, str]]:
        seen, self.seen = self.seen, Counter()
        return seen


class CountedStore(TaskStore):
    """tasking's store, its client with a command listener (the store code is unchanged)."""

    def __init__(self, settings: MongoSettings, listener: Commands) -> None:
        super().__init__(settings)
        self._listener = listener

    @property
    def db(self) -> AsyncDatabase[Any]:
        if self._client is None:
            self._client = AsyncMongoClient(self._settings.url, tz_aware=True,
                                            maxPoolSize=self._settings.max_pool_size,
                                            event_listeners=[self._listener])
        return self._client[self._settings.database]


@dataclass
class Bulk:
    running: Running
    tasking: Tasking
    store: TaskStore
    commands: Commands

    async def batch(self, *events: ev.Event) -> Counter[tuple[str, str]]:
        """One consumer batch of these events (in this order); the store commands it sent."""
        envelopes = [_envelope(e) for e in events]
        self.commands.take()
        async with self.tasking.batch(envelopes):
            for envelope in envelopes:
                await self.tasking.handle(envelope)
        return self.commands.take()

    async def assigned(self, case_id: str) -> list[str]:
        """The types of the events on the tasks topic about the case's task, one per event id
        (the module's service shares the database: its outbox sweep may publish an outbox
        of these batches' tasks a second time, with the same ids, before the batch drops it)."""
        unique = {e.id: e for e in await self.running.events(TASKS)}
        return types(list(unique.values()), task_id_for(case_id))


def _envelope(event: ev.Event) -> Envelope:
    message = encode(event, source="/test", key=event.entity_key(),
                     event_id=derived_event_id("test", event.model_dump_json()))
    return decode_envelope(message.headers, message.value, message.key)


@pytest.fixture
async def bulk(tasking: Running) -> AsyncIterator[Bulk]:
    """A second Tasking on the module's database and topics (the in-process service keeps
    running; these batches do not go through Kafka, so it never sees them)."""
    components = tasking.components
    commands = Commands()
    store = CountedStore(components.settings.mongo, commands)
    metrics = TaskingMetrics(CollectorRegistry())
    handlers = Tasking(store, components.publisher, components.policy, tasking.clock, metrics,
                       Scheduler(tasking.clock, metrics))
    try:
        yield Bulk(tasking, handlers, store, commands)
    finally:
        await store.close()


async def test_new_people_are_written_in_bulk_and_a_redelivered_batch_changes_nothing(
        bulk: Bulk) -> None:
    now = bulk.running.clock.now()
    await bulk.running.put_grid("130826104-g1", "130826104", ["130826104200"])
    kw = dict(now=now, township="130826104", village="130826104200")
    seqs = range(401, 421)
    events = [e for seq in seqs for e in (record(seq, **kw), case(seq, **kw))]

    sent = await bulk.batch(*events)
    # 20 people, 20 cases: one insert of contacts, one of tasks, one update dropping every
    # relayed outbox; the village's grids read once; no contact read, no look for tasks.
    assert sent[("insert", "contacts")] == 1 and sent[("insert", "tasks")] == 1
    assert sent[("update", "tasks")] == 1
    assert sent[("find", "tasks")] == 0 and sent[("find", "contacts")] == 0
    assert sum(sent.values()) <= 4, sent
    for seq in seqs:
        assert await bulk.assigned(f"case-{seq}") == ["task.assigned"]
        stored = await bulk.store.get(task_id_for(f"case-{seq}"))
        assert stored is not None and stored.outbox == [] and stored.version == 2
        assert stored.task.contact is not None and stored.task.contact.name == f"测试{seq}号"
        assert stored.task.grid_id == "130826104-g1"

    again = await bulk.batch(*events)  # redelivery: the same messages, a new batch
    # Both inserts refuse every document; the records are in the contacts already and the
    # cases revise their tasks to what they are: nothing is written.
    assert again[("insert", "tasks")] == 1 and again[("insert", "contacts")] == 1, again
    assert again[("update", "tasks")] == 0 and again[("update", "contacts")] == 0, again
    for seq in seqs:
        assert await bulk.assigned(f"case-{seq}") == ["task.assigned"]
        own = await bulk.store.find({"person_key": sample_key(seq)})
        assert [t.task_id for t in own] == [task_id_for(f"case-{seq}")]
        contact = await bulk.store.get_contact(sample_key(seq))
        assert contact is not None and contact["version"] == 1
        assert [r["record_id"] for r in contact["records"]] == [f"rec-{seq}"]


async def test_a_batch_mixing_known_and_new_people_takes_both_paths(bulk: Bulk) -> None:
    now = bulk.running.clock.now()
    known, new, early = 431, 432, 433
    await bulk.batch(record(known, now=now), case(known, now=now))
    assert await bulk.assigned(f"case-{known}") == ["task.assigned"]
    # A case before its record: its task waits, and an empty contact document marks that the
    # person's record must look for tasks.
    await bulk.batch(case(early, now=now))
    waiting = await bulk.store.get(task_id_for(f"case-{early}"))
    assert waiting is not None and waiting.task.contact is None
    placeholder = await bulk.store.get_contact(sample_key(early))
    assert placeholder is not None and placeholder["records"] == []

    second = ev.SourceRef(feed=ev.Feed.SELFREPORT, source_record_id=f"src-{known}-1",
                          record_id=f"rec-{known}-1", received_at=now)
    known_record = record(known, now=now).model_copy(update={
        "record_id": f"rec-{known}-1", "source_record_id": f"src-{known}-1"})
    await bulk.batch(known_record,
                     case(known, now=now, kind=ev.CaseMerged, extra_sources=1, merged=second),
                     record(new, now=now), case(new, now=now),
                     record(early, now=now))

    contact = await bulk.store.get_contact(sample_key(known))
    assert contact is not None and contact["version"] == 2
    assert [r["record_id"] for r in contact["records"]] == [f"rec-{known}", f"rec-{known}-1"]
    merged = await bulk.store.get(task_id_for(f"case-{known}"))
    assert merged is not None and [s.record_id for s in merged.task.sources] == [
        f"rec-{known}", f"rec-{known}-1"]
    assert await bulk.assigned(f"case-{known}") == ["task.assigned", "task.revised"]
    assert await bulk.assigned(f"case-{new}") == ["task.assigned"]
    assert await bulk.assigned(f"case-{early}") == ["task.assigned"]  # once, with the contact
    announced = await bulk.store.get(task_id_for(f"case-{early}"))
    assert announced is not None and announced.task.contact is not None
    assert announced.outbox == []


async def test_what_exists_already_falls_back_to_one_document_at_a_time(bulk: Bulk) -> None:
    """Duplicate keys in the bulk inserts: a contact another process wrote a moment ago and a
    task that exists (its case redelivered) beside new ones in the same inserts."""
    now = bulk.running.clock.now()
    other, existing, fresh = 441, 442, 443
    # Another process wrote the person's contact (its record) before this batch.
    assert await bulk.store.put_contact({"_id": sample_key(other), "records": [],
                                         "note": "written elsewhere"})
    await bulk.batch(record(existing, now=now), case(existing, now=now))
    before = await bulk.store.get(task_id_for(f"case-{existing}"))
    assert before is not None

    sent = await bulk.batch(record(other, now=now), case(other, now=now),
                            case(existing, now=now), record(fresh, now=now),
                            case(fresh, now=now))
    assert sent[("insert", "contacts")] == 1  # the bulk insert, other's entry refused
    contact = await bulk.store.get_contact(sample_key(other))
    assert contact is not None and contact["version"] == 2 and contact["note"] == (
        "written elsewhere")
    assert [r["record_id"] for r in contact["records"]] == [f"rec-{other}"]
    assert await bulk.assigned(f"case-{other}") == ["task.assigned"]
    assert await bulk.assigned(f"case-{fresh}") == ["task.assigned"]
    after = await bulk.store.get(task_id_for(f"case-{existing}"))
    assert after is not None and after.version == before.version  # redelivery: untouched
    assert await bulk.assigned(f"case-{existing}") == ["task.assigned"]


async def test_cases_a_batch_after_their_records_use_the_contacts_written_here(bulk: Bulk
                                                                                ) -> None:
    """The usual order: records in one batch, their cases (from triage) in a later one. The
    contacts this process wrote are kept, so the cases' batch reads none of them."""
    now = bulk.running.clock.now()
    seqs = range(451, 461)
    await bulk.batch(*(record(seq, now=now) for seq in seqs))
    sent = await bulk.batch(*(case(seq, now=now) for seq in seqs))
    assert sent[("find", "contacts")] == 0 and sent[("insert", "tasks")] == 1, sent
    assert sent[("update", "tasks")] == 1 and sent[("insert", "contacts")] == 0, sent
    for seq in seqs:
        assert await bulk.assigned(f"case-{seq}") == ["task.assigned"]
        stored = await bulk.store.get(task_id_for(f"case-{seq}"))
        assert stored is not None and stored.task.contact is not None
        assert stored.task.contact.mobile == f"19900000{seq}"
