"""What tasking does on each input: a case event (open, merge, reclassify, close), a record's
contact details, a worker's start/outcome/test result, a due timer. Each is one read-modify-write
of one task document with its events in the document's outbox, then a relay to Kafka.

Order of records and cases: a case may arrive before its record. The task is created at once
(visible to supervisors, deadline running) with ``person`` null; TaskAssigned (which carries
the contact details) goes out when the contact is there, from whichever side comes second.

Batches from Kafka (``batch()``): the consumer handles the messages of one person concurrently
with other people's, one person's in order. Inside a batch the relays are deferred and made
together at its end (one publish, every ack awaited, then one bulk drop of the relayed outboxes),
and a person's contact document is read at most once per batch. Before the messages are
handled, the batch does in bulk what most of them need (``_prepare``): the contact documents of
the people its records are about, inserted together (for everyone without one yet), and the
tasks of its new cases (``CaseOpened`` first of its case in the batch), inserted together; the
handlers then find that work done. What the bulk step could not do (a person who has a contact
document, a task that exists: redelivery) takes the single-document path as before.

Several processes (one consumer group, one database): a person's records and cases may be
consumed by different processes (records are keyed by person, cases by case id), and for a
moment during a rebalance two processes may hold the same partition. So the contact document is
written with a version guard (re-read and merged again on conflict), and a case whose task was
written without all of its records' contact details re-reads the contact document afterwards:
the record's side writes the contact then looks for tasks, the case's side writes the task then
looks for the contact, so one of them sees the other. A record whose contact document is new
(inserted, not merged) needs no look for tasks: a case's side that finds no contact document
for its task inserts an empty one first (``_recheck_contact``), so an insert that succeeds
proves no task of the person waits for it (the recovery at start does the same for every task
still waiting, e.g. one written by an earlier version). Timers, open-task gauges and the outbox
sweep cover the tasks of this process's case partitions (``services.tasking.ownership``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
import zlib
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pymongo.errors import PyMongoError

from contracts import events as ev
from contracts.envelope import Envelope, derived_event_id
from services.tasking.adapters.kafka_publisher import KafkaPublisher, PublishFailed
from services.tasking.adapters.mongo_store import TaskStore
from services.tasking.clock import Clock
from services.tasking.domain import assign
from services.tasking.domain import facts as f
from services.tasking.domain import transitions as tr
from services.tasking.domain.model import Assist, Contact, Source, Status, Task, Tier
from services.tasking.domain.policy import Policy
from services.tasking.events import outbox_entries
from services.tasking.metrics import TaskingMetrics
from services.tasking.ownership import Ownership
from services.tasking.scheduler import Scheduler

log = logging.getLogger(__name__)
# Contact documents kept after a batch (~1-2 kB each): a case is assigned with the one its
# record's batch wrote, without reading it again (see _insert_tasks).
RECENT_CONTACTS = 5000
# How long a village's grid ids read by a batch serve later batches (see _grids_for_village).
GRID_IDS_TTL_S = 5.0
Mutation = Callable[[Task], list[f.Fact]]


class NotFound(Exception):
    """No such task (or test) — or not one the caller may see."""


@dataclass
class Batch:
    """What one consumer batch defers: each changed task's whole outbox at its last written
    version (a later write of the task carries the earlier entries too), and the contact
    documents read or written so far, by person key (None: there is none)."""

    relays: dict[str, tuple[list[dict[str, Any]], int | None]] = field(default_factory=dict)
    contacts: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    grids: dict[str, list[str]] = field(default_factory=dict)  # grid ids by village code
    loads: dict[str, int] = field(default_factory=dict)  # open tasks by grid id, see _loads
    fresh: set[str] = field(default_factory=set)  # people whose contact the batch inserted
    created: dict[str, Created] = field(default_factory=dict)  # tasks it inserted, by id
    existing: set[str] = field(default_factory=set)  # task ids its insert found taken
    # In each task document the batch writes with an outbox: its relay drops them all at once.
    token: str = field(default_factory=lambda: uuid.uuid4().hex)


@dataclass
class Created:
    """A task ``_prepare`` inserted for a case; its handler does the rest (``_created``)."""

    case: ev.CaseOpened
    task: Task
    facts: list[f.Fact]
    entries: list[dict[str, Any]]
    contact: dict[str, Any] | None


_batch: ContextVar[Batch | None] = ContextVar("tasking_batch", default=None)
_firing: ContextVar[bool] = ContextVar("tasking_firing", default=False)


def task_id_for(case_id: str) -> str:
    """Deterministic: a redelivered case never makes a second task."""
    return "tk-" + derived_event_id("tasking.task", case_id).replace("-", "")[:24]


class Tasking:
    def __init__(self, store: TaskStore, publisher: KafkaPublisher, policy: Policy,
                 clock: Clock, metrics: TaskingMetrics, scheduler: Scheduler) -> None:
        self.store, self.publisher, self.policy = store, publisher, policy
        self.clock, self.metrics, self.scheduler = clock, metrics, scheduler
        self._locks = [asyncio.Lock() for _ in range(256)]
        self._open: dict[str, tuple[str, str]] = {}  # task id -> (status, township) for gauges
        self._deferred: set[str] = set()  # tasks whose outbox a running batch will relay
        self.ownership = Ownership(everything=True)  # the consumer narrows it (owned_by_consumer)
        self._case_of: dict[str, str] = {}  # task id -> case id, of tasks in the heap or gauges
        # The contact documents this process wrote last (see _remember, _insert_tasks).
        self._recent: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._grid_ids: dict[str, tuple[float, list[str]]] = {}  # village -> (read at, ids)

    def _lock(self, task_id: str) -> asyncio.Lock:
        return self._locks[self._stripe(task_id)]

    def _stripe(self, task_id: str) -> int:
        return zlib.crc32(task_id.encode()) % len(self._locks)

    # --- start-up -------------------------------------------------------------------------
    def owned_by_consumer(self) -> None:
        """From now on only the tasks of the case partitions the consumer is assigned."""
        self.ownership = Ownership(everything=False)

    def owns(self, task: Task) -> bool:
        return self.ownership.owns(task.case_id)

    async def recover(self) -> None:
        """Gauges of open tasks, the timer heap, and a relay of any outbox left by a crash (of
        the owned tasks: all of them without a consumer, else none until partitions are
        assigned)."""
        await self.resync()
        await self._placeholders()
        await self.relay_pending()

    async def _placeholders(self) -> None:
        """An empty contact document for every person with a task waiting for its contact
        and none yet (see the module's docstring: a record then merges and looks for tasks).
        For tasks an earlier version wrote; this version's case handling does it itself."""
        people = await self.store.unannounced_people()
        if people:
            await self.store.insert_contacts([{"_id": key, "records": []} for key in people])

    async def resync(self) -> None:
        """Timers and gauges of the owned tasks from the store. A write made by another process
        (an API call it answered) reaches the owner's heap this way; an entry the heap already
        has for an earlier time stays (it fires, finds nothing due and re-reads the time)."""
        if self.ownership.partitions == frozenset():
            return
        opened: dict[str, tuple[str, str]] = {}
        for doc in await self.store.open_summary():
            if self.ownership.owns(doc["case_id"]):
                opened[doc["_id"]] = (doc["status"], doc.get("township_code") or "none")
                self._case_of[doc["_id"]] = doc["case_id"]
        for task_id in set(self._open) - set(opened):
            self._track(task_id, None, "none")
        for task_id, (status, township) in opened.items():
            if self._open.get(task_id) != (status, township):
                self._track(task_id, status, township)
        for task_id, case_id, due in await self.store.timers():
            if self.ownership.owns(case_id):
                self._case_of[task_id] = case_id
                self.scheduler.ensure(task_id, _aware(due))
        keep = set(self.scheduler.pending()) | set(self._open)
        self._case_of = {t: c for t, c in self._case_of.items() if t in keep}

    async def take_over(self, partitions: set[int], count: int) -> None:
        """The consumer was assigned these case partitions (the whole new assignment)."""
        self._recent.clear()  # a rebalance: another process may have written contacts
        self.ownership.assign(partitions, count)
        self.metrics.owned_partitions.set(len(partitions))
        log.info("tasking owns case partitions %s of %d", sorted(partitions), count)
        await self.resync()

    def hand_over(self, partitions: set[int]) -> None:
        """These case partitions go to another process: forget their timers and gauges (and
        the contacts kept: records partitions may move too)."""
        self._recent.clear()
        self.ownership.revoke(partitions)
        self.metrics.owned_partitions.set(len(self.ownership.partitions or ()))
        self._retain()

    def _retain(self) -> None:
        def owned(task_id: str) -> bool:
            case_id = self._case_of.get(task_id)
            return case_id is not None and self.ownership.owns(case_id)

        self.scheduler.retain(owned)
        for task_id in [t for t in self._open if not owned(t)]:
            self._track(task_id, None, "none")
        keep = set(self.scheduler.pending()) | set(self._open)
        self._case_of = {t: c for t, c in self._case_of.items() if t in keep}

    async def relay_pending(self) -> None:
        for task_id, case_id in await self.store.with_outbox():
            if task_id in self._deferred or not self.ownership.owns(case_id):
                continue  # a batch relays it in a moment; another process sweeps it
            async with self._lock(task_id):  # not while a write of this task relays its own
                loaded = await self.store.get(task_id)
                if loaded is not None and loaded.outbox:
                    await self._relay(task_id, loaded.outbox, loaded.version)

    def _track(self, task_id: str, status: str | None, township: str) -> None:
        before = self._open.pop(task_id, None)
        if before is not None:
            self.metrics.open_tasks.labels(*before).dec()
        if status is not None and status != Status.CLOSED:
            self._open[task_id] = (status, township)
            self.metrics.open_tasks.labels(status, township).inc()
            self.metrics.township_seen(township)

    # --- the one write path ---------------------------------------------------------------
    async def change(self, task_id: str, mutate: Mutation) -> Task:
        """Load, apply, save (retrying if the document moved), relay. Raises NotFound,
        TransitionError (from ``mutate``)."""
        async with self._lock(task_id):
            for _ in range(10):
                loaded = await self.store.get(task_id)
                if loaded is None:
                    raise NotFound(task_id)
                task = loaded.task
                before = _snapshot(task)
                facts = mutate(task)
                if not facts and _snapshot(task) == before:
                    return task
                now = self.clock.now()
                entries = outbox_entries(task, facts, loaded.version + 1, now)
                if await self.store.save(task, loaded.version, loaded.outbox + entries,
                                         tr.next_due(task), _relay_token()):
                    self._after(task, facts)
                    await self._relay(task_id, loaded.outbox + entries, loaded.version + 1)
                    return task
            raise RuntimeError(f"task {task_id} kept changing under us")

    async def create(self, task: Task, facts: list[f.Fact]) -> bool:
        entries = outbox_entries(task, facts, 1, self.clock.now())
        async with self._lock(task.task_id):
            if not await self.store.insert(task, entries, tr.next_due(task), _relay_token()):
                return False
            await self._created(task, facts, entries)
        return True

    async def _created(self, task: Task, facts: list[f.Fact], entries: list[dict[str, Any]]
                       ) -> None:
        """After a new task's insert (under its lock): metrics, timer, gauges, relay."""
        self.metrics.assigned.labels(task.tier.value).inc()
        if task.pool_reason:
            self.metrics.pooled.labels(task.tier.value).inc()
        if not task.announced:
            self.metrics.waiting_contact.inc()
        self._after(task, facts)
        await self._relay(task.task_id, entries, 1)

    def _after(self, task: Task, facts: list[f.Fact]) -> None:
        owned = self.owns(task)
        self._case_of[task.task_id] = task.case_id
        if owned:
            self._track(task.task_id, task.status.value, task.township_code or "none")
        if owned or not _firing.get():
            # A write this process made keeps its timer here even for a task another process
            # owns (that one learns of it at its next resync); both firing write it once.
            self.scheduler.schedule(task.task_id, tr.next_due(task))
        _count(self.metrics, task, facts)

    async def _relay(self, task_id: str, entries: list[dict[str, Any]],
                     version: int | None = None) -> None:
        """Publish, then drop the relayed entries; ``version``: the document holds exactly
        ``entries`` at that version (then one conditional write drops them). Inside a batch:
        deferred to the batch's end."""
        if not entries:
            return
        batch = _batch.get()
        if batch is not None:
            batch.relays[task_id] = (entries, version)
            self._deferred.add(task_id)
            return
        try:
            await self.publisher.publish(entries)
        except PublishFailed as exc:
            self.metrics.publish_failures.inc()
            log.warning("events of task %s stay in its outbox: %s", task_id, exc)
            return
        for entry in entries:
            self.metrics.outbox_relayed.labels(entry["type"]).inc()
        await self.store.drop_outbox(task_id, [e["id"] for e in entries], version)

    # --- batches from Kafka ---------------------------------------------------------------
    @contextlib.asynccontextmanager
    async def batch(self, envelopes: Sequence[Envelope] = ()) -> AsyncIterator[None]:
        """Handlers awaited inside (and tasks started inside) share one Batch; ``envelopes``
        (the batch's messages, each person's in order) are prepared in bulk first; at the end
        the outboxes are published together and dropped. Whatever is not acknowledged stays
        in the task documents for the sweep."""
        batch = Batch()
        token = _batch.set(batch)
        try:
            await self._prepare(batch, envelopes)
            yield
        finally:
            _batch.reset(token)
            try:
                await self._flush(batch)
            finally:  # inserted but not handled (stopping mid-batch): the sweep relays them
                self._deferred.difference_update(batch.created)

    async def _prepare(self, batch: Batch, envelopes: Sequence[Envelope]) -> None:
        """The bulk part of a batch: new contact documents, then new tasks, each kind with
        one insert. Only a shortcut: when the store fails here the handlers do it all."""
        try:
            merged = await self._insert_contacts(batch, envelopes)
            await self._insert_tasks(batch, envelopes, merged)
        except PyMongoError as exc:  # what it did not finish, the handlers do
            log.warning("bulk inserts of a batch failed (%s); one message at a time", exc)
        except Exception:  # never fatal to the consumer: a bad message is the handler's to tell
            log.exception("bulk inserts of a batch failed; one message at a time")

    async def _insert_contacts(self, batch: Batch, envelopes: Sequence[Envelope]) -> set[str]:
        """A contact document for each person the batch has records of, with all of them,
        inserted together; the person keys that had a document already lacking one of the
        records (merged later by ``on_record``, one at a time; the documents read here)."""
        records: dict[str, list[ev.RecordReceived]] = {}
        for envelope in envelopes:
            if isinstance(envelope.event, ev.RecordReceived):
                records.setdefault(envelope.event.person_key, []).append(envelope.event)
        if not records:
            return set()
        docs = {key: _with_records(None, mine) or {} for key, mine in records.items()}
        inserted = await self.store.insert_contacts(list(docs.values()))
        for key in inserted:
            batch.contacts[key] = self._remember({**docs[key], "version": 1})  # as stored
        batch.fresh.update(inserted)
        taken = [key for key in records if key not in inserted]
        await self._read_contacts(batch, taken)
        return {key for key in taken if _with_records(batch.contacts[key], records[key])}

    async def _read_contacts(self, batch: Batch, keys: Sequence[str]) -> None:
        """These people's contact documents into the batch (eight reads in flight at most)."""
        gate = asyncio.Semaphore(8)

        async def read(key: str) -> None:
            async with gate:
                batch.contacts[key] = await self.store.get_contact(key)

        await asyncio.gather(*(read(key) for key in dict.fromkeys(keys)
                               if key not in batch.contacts))

    def _remember(self, contact: dict[str, Any] | None) -> dict[str, Any] | None:
        """Keep a contact document as this process wrote it (the latest RECENT_CONTACTS
        people); returns it. Only own writes, and forgotten at every rebalance: while the
        assignment holds, the process that consumes a person's records (keyed by person) is the
        only writer of the person's contact document (a case's empty document can only be
        inserted where none exists), so the copy is what the store holds."""
        if contact is not None and "person" in contact:
            self._recent[contact["_id"]] = contact
            self._recent.move_to_end(contact["_id"])
            while len(self._recent) > RECENT_CONTACTS:
                self._recent.popitem(last=False)
        return contact

    async def _insert_tasks(self, batch: Batch, envelopes: Sequence[Envelope],
                            merged: set[str]) -> None:
        """The tasks of the batch's new cases (a CaseOpened that is the first message of its
        case here) inserted together; ``on_case`` finds them in ``batch.created``. Not for
        people whose records are still to be merged (``merged``): their cases go after their
        records, as the consumer orders them.

        Each is assigned with its person's contact document as this process wrote it since the
        last rebalance (``_remember``), when that has every record of the case (usually: the
        record's batch wrote it a moment ago), else as read now. Whatever that lacks is read
        again after the insert (``_recheck_contact``)."""
        seen: set[str] = set()
        cases: list[ev.CaseOpened] = []
        for envelope in envelopes:
            case_id = getattr(envelope.event, "case_id", None)
            if case_id is None or case_id in seen:
                continue
            seen.add(case_id)
            if (isinstance(envelope.event, ev.CaseOpened)
                    and envelope.event.person_key not in merged):
                cases.append(envelope.event)
        if not cases:
            return
        for opened in cases:  # a contact this process wrote or read lately, with the records
            known = self._recent.get(opened.person_key)
            if (opened.person_key not in batch.contacts and known is not None
                    and not _lacks_records(_sources(opened), known)):
                batch.contacts[opened.person_key] = known
        await self._read_contacts(batch, [opened.person_key for opened in cases])
        await self._read_grids(batch, [opened.current.village_code for opened in cases])
        now = self.clock.now()
        made: list[Created] = []
        for case in cases:
            task = await self._new_task(task_id_for(case.case_id), case)
            contact = batch.contacts.get(case.person_key)
            facts = _sync_contact(task, contact, now)
            made.append(Created(case, task, facts, outbox_entries(task, facts, 1, now),
                                contact))
        inserted = await self.store.insert_many([(c.task, c.entries, tr.next_due(c.task))
                                                 for c in made], batch.token)
        for c in made:
            if c.task.task_id in inserted:
                batch.created[c.task.task_id] = c
                self._deferred.add(c.task.task_id)  # this batch relays it: not the sweep
                continue
            batch.existing.add(c.task.task_id)  # redelivered: on_case revises it
            if c.task.grid_id in batch.loads:  # not one more task for the grid
                batch.loads[c.task.grid_id] -= 1

    async def _flush(self, batch: Batch) -> None:
        relays, batch.relays = batch.relays, {}
        if not relays:
            return
        try:
            entries = [e for outbox, _ in relays.values() for e in outbox]
            try:
                await self.publisher.publish(entries)
            except PublishFailed as exc:
                self.metrics.publish_failures.inc()
                log.warning("events of %d tasks stay in their outboxes: %s", len(relays), exc)
                return
            except Exception:  # never fatal to the consumer: the sweep tries again
                self.metrics.publish_failures.inc()
                log.exception("events of %d tasks stay in their outboxes", len(relays))
                return
            for entry in entries:
                self.metrics.outbox_relayed.labels(entry["type"]).inc()
            await self._drop_all(batch.token, relays)
        finally:
            self._deferred.difference_update(relays)

    async def _drop_all(self, token: str,
                        relays: dict[str, tuple[list[dict[str, Any]], int | None]]) -> None:
        """Drop the relayed outboxes: one write for every task document the batch wrote last
        (its relay token), then, if some task was written meanwhile by someone else (or that
        write failed), each of them on its own (a re-read that drops only the relayed entries;
        a miss is harmless either way: the sweep publishes the same ids again and drops them).

        Under the tasks' locks, like every other write of a task here: a store that applies
        an update as a read-modify-write of the whole document must never interleave it with a
        timer's or an API call's write of the same task (that could undo the other write).
        Nobody else holds two locks; these are taken in one order, each once."""
        stripes = sorted({self._stripe(task_id) for task_id in relays})
        async with contextlib.AsyncExitStack() as held:
            for stripe in stripes:
                await held.enter_async_context(self._locks[stripe])
            try:
                if await self.store.drop_relayed(token) == len(relays):
                    return
            except PyMongoError as exc:
                log.warning("bulk drop of %d outboxes failed (%s); one at a time",
                            len(relays), exc)
        results = await asyncio.gather(
            *(self._drop(task_id, [e["id"] for e in outbox])
              for task_id, (outbox, _) in relays.items()), return_exceptions=True)
        failed = [r for r in results if isinstance(r, BaseException)]
        if failed:  # published: the sweep publishes them again (same ids) and drops them
            log.warning("relayed outboxes of %d tasks not dropped: %r", len(failed),
                        failed[0])

    async def _drop(self, task_id: str, event_ids: list[str]) -> None:
        """Drop these entries if the task still holds them (re-read), under its lock."""
        async with self._lock(task_id):
            await self.store.drop_outbox(task_id, event_ids)

    async def _read_grids(self, batch: Batch, villages: Sequence[str | None]) -> None:
        """The grids of these villages into the batch (eight reads in flight at most)."""
        gate = asyncio.Semaphore(8)

        async def read(village: str) -> None:
            async with gate:
                await self._grids_for_village(village)

        await asyncio.gather(*(read(v) for v in dict.fromkeys(villages)
                               if v and v not in batch.grids))

    async def _grids_for_village(self, village_code: str) -> list[str]:
        """The grid directory changes rarely: inside a batch a village's grid ids are read
        once per batch and kept for GRID_IDS_TTL_S across batches. A change through this
        process's API applies from the next batch (``grids_changed``), one through another
        process's within GRID_IDS_TTL_S."""
        batch = _batch.get()
        if batch is None:
            return await self.store.grid_ids_for_village(village_code)
        if village_code not in batch.grids:
            kept = self._grid_ids.get(village_code)
            if kept is None or time.monotonic() - kept[0] > GRID_IDS_TTL_S:
                kept = (time.monotonic(), await self.store.grid_ids_for_village(village_code))
                self._grid_ids[village_code] = kept
            batch.grids[village_code] = kept[1]
        return batch.grids[village_code]

    def grids_changed(self) -> None:
        """The grid directory was written (PUT /v1/grids): read it again from the next batch."""
        self._grid_ids.clear()

    async def _loads(self, grid_ids: list[str]) -> dict[str, int]:
        """Open tasks of each grid that could take a case. One grid: no count (the choice is
        that grid whatever its load; every village of the demo county has one). Several: each
        counted once per batch (a count fetches every open task of the grid from FerretDB,
        ~60 documents per case in the benchmark), then kept up to date by the batch's own
        assignments; outside a batch, counted each time."""
        if len(grid_ids) < 2:
            return dict.fromkeys(grid_ids, 0)
        batch = _batch.get()
        if batch is None:
            return {g: await self.store.open_load(g) for g in grid_ids}
        for grid_id in grid_ids:
            if grid_id not in batch.loads:
                counted = await self.store.open_load(grid_id)
                batch.loads.setdefault(grid_id, counted)  # another case may have counted it
        return {g: batch.loads[g] for g in grid_ids}  # no await from here to the increment

    async def _contact(self, person_key: str) -> dict[str, Any] | None:
        batch = _batch.get()
        if batch is not None and person_key in batch.contacts:
            return batch.contacts[person_key]
        contact = await self.store.get_contact(person_key)
        if batch is not None:
            batch.contacts[person_key] = contact
        return contact

    # --- inputs from Kafka ----------------------------------------------------------------
    async def handle(self, envelope: Envelope) -> None:
        event = envelope.event
        if isinstance(event, ev.RecordReceived):
            await self.on_record(event)
        elif isinstance(event, ev.CaseClosed):
            await self.on_case_closed(event)
        elif isinstance(event, ev.CaseOpened | ev.CaseMerged | ev.CaseReclassified):
            await self.on_case(event)
        else:
            raise ValueError(f"tasking does not consume {envelope.type}")

    async def on_case(self, case: ev.CaseOpened | ev.CaseMerged | ev.CaseReclassified) -> None:
        task_id = task_id_for(case.case_id)
        batch = _batch.get()
        made = batch.created.get(task_id) if batch is not None else None
        if batch is not None and made is not None and made.case is case:
            del batch.created[task_id]  # the batch inserted it (_insert_tasks)
            async with self._lock(task_id):
                await self._created(made.task, made.facts, made.entries)
            await self._recheck_contact(made.task, made.contact)
            return
        contact = await self._contact(case.person_key)
        # CaseOpened is (nearly always) new: insert at once, a duplicate key means redelivery.
        exists = batch is not None and task_id in batch.existing
        if not exists and (isinstance(case, ev.CaseOpened)
                           or await self.store.get(task_id) is None):
            task = await self._new_task(task_id, case)
            facts = _sync_contact(task, contact, self.clock.now())
            if await self.create(task, facts):
                await self._recheck_contact(task, contact)
                return
        if isinstance(case, ev.CaseReclassified):
            reason = f"reclassified: {case.reason}"
        elif isinstance(case, ev.CaseMerged):
            reason = f"record {case.merged.record_id} merged into the case"
        else:
            reason = "case opened again"

        def revise(task: Task) -> list[f.Fact]:
            now = self.clock.now()
            out = tr.revise(task, category=case.category.value, risk_level=case.risk_level.value,
                            measure=case.measure.value, measure_days=case.measure_days,
                            followup_days=case.followup_days, test_days=list(case.test_days),
                            due_at=case.verification_due_at, sources=_sources(case),
                            reason=reason, now=now)
            return out + _sync_contact(task, contact, now)

        await self._recheck_contact(await self.change(task_id, revise), contact)

    async def _recheck_contact(self, task: Task, used: dict[str, Any] | None) -> None:
        """The task was written with a contact document lacking some of its records: read it
        again (not from the batch), since another process may have written it meanwhile."""
        if not _lacks(task, used):
            return
        fresh = await self.store.get_contact(task.person_key)
        if fresh is None:
            # None yet: an empty one, so the record's side merges into it and looks for the
            # person's tasks (a new contact document means no task waits for it).
            empty = {"_id": task.person_key, "records": []}
            if await self.store.put_contact(empty):
                return
            fresh = await self.store.get_contact(task.person_key)  # written meanwhile
        if fresh is None or fresh == used:
            return
        batch = _batch.get()
        if batch is not None:
            batch.contacts[task.person_key] = fresh
        await self.change(task.task_id, lambda t: _sync_contact(t, fresh, self.clock.now()))

    async def _new_task(self, task_id: str, case: ev.CaseOpened | ev.CaseMerged |
                        ev.CaseReclassified) -> Task:
        where = case.current
        grid_ids = (await self._grids_for_village(where.village_code)
                    if where.village_code else [])
        loads = await self._loads(grid_ids)
        choice = assign.choose(county_code=where.county_code, township_code=where.township_code,
                               village_code=where.village_code, load_by_grid=loads)
        batch = _batch.get()
        if batch is not None and choice.grid_id in batch.loads:
            batch.loads[choice.grid_id] += 1  # before any await: the batch's next case sees it
        return Task(task_id=task_id, case_id=case.case_id, person_key=case.person_key,
                    status=Status.ASSIGNED, tier=choice.tier, grid_id=choice.grid_id,
                    county_code=where.county_code, township_code=where.township_code,
                    village_code=where.village_code, category=case.category.value,
                    risk_level=case.risk_level.value, measure=case.measure.value,
                    measure_days=case.measure_days, followup_days=case.followup_days,
                    test_days=sorted(case.test_days), sources=_sources(case),
                    due_at=case.verification_due_at, assigned_at=self.clock.now(),
                    pool_reason=choice.pool_reason)

    async def on_case_closed(self, case: ev.CaseClosed) -> None:
        loaded = await self.store.get(task_id_for(case.case_id))
        if loaded is not None and loaded.task.open:
            # Triage closes a case only after tasking resolved it; an open task stays with its
            # worker (a person's safety check is not cancelled by a bookkeeping event).
            log.warning("case %s closed by triage while its task %s is %s; the task stays open",
                        case.case_id, loaded.task.task_id, loaded.task.status)

    async def on_record(self, record: ev.RecordReceived) -> None:
        known = await self._contact(record.person_key)
        for _ in range(10):
            contact = _with_record(known, record)
            if contact is None:  # the record is in it already
                contact = known
                break
            if await self.store.put_contact(contact):
                contact["version"] = (contact.get("version") or 0) + 1  # as stored
                self._remember(contact)
                batch = _batch.get()
                if batch is not None:
                    batch.contacts[record.person_key] = contact
                break
            # Another process wrote the person's contact meanwhile (a rebalance): merge again.
            self.metrics.contact_conflicts.inc()
            known = await self.store.get_contact(record.person_key)
        else:
            raise RuntimeError(f"contact of {record.record_id} kept changing under us")
        batch = _batch.get()
        if batch is not None and record.person_key in batch.fresh:
            return  # the batch inserted the person's first contact document: no task waits
        for task in await self.store.find({"person_key": record.person_key}):
            await self.change(task.task_id,
                              lambda t: _sync_contact(t, contact, self.clock.now()))

    # --- inputs from the API --------------------------------------------------------------
    async def fire(self, task_id: str) -> None:
        token = _firing.set(True)
        try:
            task = await self.change(task_id, lambda t: tr.fire(t, self.clock.now(), self.policy))
        except NotFound:
            self.scheduler.schedule(task_id, None)
            return
        finally:
            _firing.reset(token)
        if self.owns(task):  # nothing was due (another process fired it, or it moved): the
            self.scheduler.schedule(task_id, tr.next_due(task))  # time as stored now


def _relay_token() -> str | None:
    """The running consumer batch's relay token (None outside a batch: relayed at once)."""
    batch = _batch.get()
    return None if batch is None else batch.token


def _snapshot(task: Task) -> str:
    return repr(task)


def _with_record(known: dict[str, Any] | None, record: ev.RecordReceived
                 ) -> dict[str, Any] | None:
    """A copy of the contact document with the record in it (the cached one stays as stored;
    its ``version`` is the one the write is guarded by); None when the record is in it."""
    if known is None:
        contact: dict[str, Any] = {"_id": record.person_key, "records": []}
    else:
        contact = {**known, "records": list(known["records"]),
                   "version": known.get("version")}
    if any(r["record_id"] == record.record_id for r in contact["records"]):
        return None
    contact["records"].append(_record_entry(record))
    latest = max(contact["records"], key=lambda r: r["received_at"])
    if latest["record_id"] == record.record_id or "person" not in contact:
        contact["person"] = record.person.model_dump(mode="json")
        contact["address"] = record.current.address
    return contact


def _with_records(known: dict[str, Any] | None, records: Sequence[ev.RecordReceived]
                  ) -> dict[str, Any] | None:
    """``_with_record`` of each in turn; None when every one is in it already."""
    contact = None
    for record in records:
        contact = _with_record(contact or known, record) or contact
    return contact


def _lacks(task: Task, contact: dict[str, Any] | None) -> bool:
    """The contact document used lacks one of the task's records (or the person)."""
    return _lacks_records(task.sources, contact)


def _lacks_records(sources: Sequence[Source], contact: dict[str, Any] | None) -> bool:
    if not contact or "person" not in contact:
        return True
    have = {r["record_id"] for r in contact["records"]}
    return any(s.record_id not in have for s in sources)


def _sources(case: ev.CaseOpened | ev.CaseMerged | ev.CaseReclassified) -> list[Source]:
    return [Source(s.feed.value, s.source_record_id, s.record_id, s.received_at)
            for s in case.sources]


def _record_entry(record: ev.RecordReceived) -> dict[str, Any]:
    """As stored: times in milliseconds (BSON), so a batch's cached copy equals a re-read."""
    entry: dict[str, Any] = {"record_id": record.record_id, "feed": record.feed.value,
                             "source_record_id": record.source_record_id,
                             "received_at": _ms(record.received_at),
                             "arrived_at": _ms(record.arrived_at)}
    if isinstance(record.details, ev.AssistDetails):
        entry["assist"] = {"request_id": record.details.request_id,
                           "requesting_province": record.details.requesting_province,
                           "reply_by": _ms(record.details.reply_by)}
    return entry


def _ms(value: datetime | None) -> datetime | None:
    return None if value is None else value.replace(microsecond=value.microsecond // 1000 * 1000)


def _sync_contact(task: Task, contact: dict[str, Any] | None, now: datetime) -> list[f.Fact]:
    """Contact details, arrival time and assist requests of the task's own records."""
    if not contact or "person" not in contact:
        return []
    p = contact["person"]
    details = Contact(p["name"], p["id_type"], p["id_number"], p.get("mobile"),
                      contact.get("address"))
    mine = {s.record_id for s in task.sources}
    records = [r for r in contact["records"] if r["record_id"] in mine]
    arrivals = [_aware(r["arrived_at"]) for r in records if r.get("arrived_at")]
    out = tr.attach_contact(task, details, min(arrivals) if arrivals else None, now)
    for r in records:
        if "assist" in r:
            a = r["assist"]
            out += tr.add_assist(task, Assist(r["record_id"], r["source_record_id"],
                                              a["request_id"], a["requesting_province"],
                                              _aware(a["reply_by"])), now)
    return out


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _count(m: TaskingMetrics, task: Task, facts: list[f.Fact]) -> None:
    for fact in facts:
        match fact:
            case f.Assigned(at=at):
                m.push_to_assigned.observe(max((at - task.first_received_at).total_seconds(), 0))
            case f.Closed(at=at):
                m.push_to_verified.observe(max((at - task.first_received_at).total_seconds(), 0))
            case f.OutcomeRecorded(outcome=outcome):
                m.outcomes.labels(outcome).inc()
            case f.Overdue(tier=tier):
                m.overdue.labels(Tier(tier).value, task.township_code or "none").inc()
            case f.Escalated(to_tier=to):
                m.escalated.labels(Tier(to).value).inc()
            case f.Requeued(reason=reason):
                m.requeued.labels(reason).inc()
            case f.TestOverdue():
                m.tests_overdue.inc()
            case f.TestResultRecorded(test=test):
                m.test_results.labels(test.result or "none", task.township_code or "none").inc()
            case f.Resolved(resolution=resolution):
                m.resolved.labels(resolution).inc()
            case f.AssistReply(status=status):
                m.assist_replies.labels(status).inc()
