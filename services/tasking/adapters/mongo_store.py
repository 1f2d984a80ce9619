"""tasking's MongoDB store: tasks (one document each, with its outbox and next due time),
contact details by person key, the grid directory and worker/supervisor tokens.

Only `_id` lookups and equality on fields declared through ensure_indexes (FerretDB pushes
those down; it never pushes sorts or ranges, nor `$in`). Every change is one single-document
write guarded by the document's version (optimistic concurrency, no transactions). A consumer
batch writes in bulk where that keeps each document's write on its own: new tasks and new
contacts with one unordered `insert_many` each (a duplicate key is reported per document, the
caller takes the single-document path for those), and the drops of its relayed outboxes with
one `update_many` by the batch's relay token (each document the batch wrote carries it; any
other write of the document replaces it without, so the token guards like a version). Not one
`bulk_write` of per-document updates: FerretDB v1.24.2 keeps a PostgreSQL connection per update
statement of one command until the command ends, so a bulk write of 50 updates takes its whole
pool and hangs it (docs/performance.md).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, AsyncMongoClient, IndexModel
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError, PyMongoError

from paicha_runtime.mongo import MongoSettings, ensure_indexes
from services.tasking.adapters.codec import task_from_doc, task_to_doc
from services.tasking.domain.model import Task

DUPLICATE_KEY = 11000
INDEXES: dict[str, list[IndexModel]] = {
    "tasks": [IndexModel([(name, ASCENDING)]) for name in (
        "person_key", "grid_id", "township_code", "county_code", "open", "status",
        "has_timer", "has_outbox", "announced", "relay")],
    "grids": [IndexModel([("village_codes", ASCENDING)]),
              IndexModel([("township_code", ASCENDING)])],
    "contacts": [],
    "tokens": [],
}


class StoreUnavailable(Exception):
    """The store did not answer; the caller retries (consumer) or answers 503 (API)."""


@dataclass
class Loaded:
    task: Task
    version: int
    outbox: list[dict[str, Any]]


class TaskStore:
    def __init__(self, settings: MongoSettings) -> None:
        self._settings = settings
        self._client: AsyncMongoClient | None = None

    @property
    def db(self) -> AsyncDatabase[Any]:
        if self._client is None:  # lazily: one client per event loop
            self._client = self._settings.client()
        return self._client[self._settings.database]

    async def prepare(self) -> None:
        # One index per call: FerretDB v1 (SQLite) closes the connection when one createIndexes
        # names two or more indexes that exist already (every restart); one at a time is fine.
        for collection, indexes in INDEXES.items():
            for one in [[index] for index in indexes] or [[]]:
                await ensure_indexes(self.db, collection, one, self._settings)

    async def ping(self) -> bool:
        try:
            await asyncio.wait_for(self.db.command("ping"), 2)
        except (PyMongoError, TimeoutError):
            return False
        return True

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None

    # tasks
    @staticmethod
    def _doc(task: Task, version: int, outbox: list[dict[str, Any]], next_due: datetime | None,
             relay: str | None = None) -> dict[str, Any]:
        doc = task_to_doc(task)
        doc.update(version=version, outbox=outbox, has_outbox=bool(outbox),
                   next_due=next_due, has_timer=next_due is not None)
        if relay is not None and outbox:
            doc["relay"] = relay  # the consumer batch that relays this outbox
        return doc

    async def get(self, task_id: str) -> Loaded | None:
        doc = await self.db.tasks.find_one({"_id": task_id})
        if doc is None:
            return None
        return Loaded(task_from_doc(doc), doc["version"], doc.get("outbox", []))

    async def insert(self, task: Task, outbox: list[dict[str, Any]], next_due: datetime | None,
                     relay: str | None = None) -> bool:
        """False when a task with this id exists already (redelivery, or a race)."""
        try:
            await self.db.tasks.insert_one(self._doc(task, 1, outbox, next_due, relay))
        except DuplicateKeyError:
            return False
        return True

    async def insert_many(self, tasks: Sequence[tuple[Task, list[dict[str, Any]], datetime | None]],
                          relay: str | None = None) -> set[str]:
        """New tasks at version 1 in one unordered insert; the ids inserted (a task id that
        exists already is left as it is: redelivery, or a race)."""
        return await _insert_new(self.db.tasks, [self._doc(task, 1, outbox, next_due, relay)
                                                 for task, outbox, next_due in tasks])

    async def save(self, task: Task, expected_version: int, outbox: list[dict[str, Any]],
                   next_due: datetime | None, relay: str | None = None) -> bool:
        """Replace the task if nobody changed it since ``expected_version``; False otherwise.
        ``relay``: the consumer batch that relays the outbox (``drop_relayed``)."""
        result = await self.db.tasks.replace_one(
            {"_id": task.task_id, "version": expected_version},
            self._doc(task, expected_version + 1, outbox, next_due, relay))
        return result.matched_count == 1

    async def drop_outbox(self, task_id: str, event_ids: Sequence[str],
                          version: int | None = None) -> None:
        """Remove relayed entries (re-read and retried when the task changed meanwhile).
        ``version``: the document version whose whole outbox was relayed (one write, no read)."""
        if version is not None:
            result = await self.db.tasks.update_one(
                {"_id": task_id, "version": version},
                {"$set": {"outbox": [], "has_outbox": False, "version": version + 1}})
            if result.matched_count == 1:
                return
        gone = set(event_ids)
        for _ in range(20):
            doc = await self.db.tasks.find_one({"_id": task_id}, {"outbox": 1, "version": 1})
            if doc is None:
                return
            left = [e for e in doc.get("outbox", []) if e["id"] not in gone]
            if len(left) == len(doc.get("outbox", [])):
                return
            result = await self.db.tasks.update_one(
                {"_id": task_id, "version": doc["version"]},
                {"$set": {"outbox": left, "has_outbox": bool(left),
                          "version": doc["version"] + 1}})
            if result.matched_count == 1:
                return

    async def drop_relayed(self, relay: str) -> int:
        """Empty the outbox of every task whose last write was the consumer batch ``relay``'s
        (one write; a task written since by anyone else lacks the token and is left as it is).
        The number of tasks changed."""
        result = await self.db.tasks.update_many(
            {"relay": relay},
            {"$set": {"outbox": [], "has_outbox": False}, "$unset": {"relay": ""},
             "$inc": {"version": 1}})
        return result.matched_count

    async def find(self, query: dict[str, Any]) -> list[Task]:
        """Tasks matching equality on declared fields only (never a range or a sort)."""
        return [task_from_doc(d) async for d in self.db.tasks.find(query)]

    async def timers(self) -> list[tuple[str, str, datetime]]:
        """(task id, case id, next due) of every task with a pending timer: what the heap is
        built from (the case id tells which process owns the timer)."""
        cursor = self.db.tasks.find({"has_timer": True}, {"next_due": 1, "case_id": 1})
        return [(d["_id"], d["case_id"], d["next_due"]) async for d in cursor
                if d.get("next_due")]

    async def with_outbox(self) -> list[tuple[str, str]]:
        """(task id, case id) of every task whose outbox holds events not yet relayed."""
        cursor = self.db.tasks.find({"has_outbox": True}, {"case_id": 1})
        return [(d["_id"], d["case_id"]) async for d in cursor]

    async def open_summary(self) -> list[dict[str, Any]]:
        """Status, township and case id of every open task (for the gauges)."""
        projection = {"status": 1, "township_code": 1, "county_code": 1, "case_id": 1}
        return [d async for d in self.db.tasks.find({"open": True}, projection)]

    async def unannounced_people(self) -> set[str]:
        """Person keys of the tasks whose TaskAssigned has not gone out (no contact yet)."""
        cursor = self.db.tasks.find({"announced": False}, {"person_key": 1})
        return {d["person_key"] async for d in cursor}

    async def open_load(self, grid_id: str) -> int:
        return await self.db.tasks.count_documents({"grid_id": grid_id, "open": True})

    # contacts (PII)
    async def get_contact(self, person_key: str) -> dict[str, Any] | None:
        return await self.db.contacts.find_one({"_id": person_key})

    async def put_contact(self, doc: dict[str, Any]) -> bool:
        """Write a person's contact document if nobody changed it since it was read (``doc``'s
        ``version``: absent for a new document, None for one stored before versions); False
        otherwise (the caller re-reads and merges again). Two processes may hold one person's
        messages for a moment during a rebalance; neither's records are lost."""
        expected = doc.get("version", 0)
        new = {**doc, "version": (expected or 0) + 1}
        if "version" not in doc:
            try:
                await self.db.contacts.insert_one(new)
            except DuplicateKeyError:
                return False
            return True
        result = await self.db.contacts.replace_one({"_id": doc["_id"], "version": expected},
                                                    new)
        return result.matched_count == 1

    async def insert_contacts(self, docs: Sequence[dict[str, Any]]) -> set[str]:
        """New contact documents (version 1) in one unordered insert; the person keys inserted
        (one that has a document already is left as it is: the caller merges into it)."""
        return await _insert_new(self.db.contacts, [{**doc, "version": 1} for doc in docs])

    # grid directory
    async def put_grid(self, grid: dict[str, Any]) -> None:
        doc = {**grid, "_id": grid["grid_id"],
               "village_codes": [v["code"] for v in grid["villages"]]}
        await self.db.grids.replace_one({"_id": doc["_id"]}, doc, upsert=True)

    async def grids(self) -> list[dict[str, Any]]:
        return [d async for d in self.db.grids.find({})]

    async def grid(self, grid_id: str) -> dict[str, Any] | None:
        return await self.db.grids.find_one({"_id": grid_id})

    async def grid_ids_for_village(self, village_code: str) -> list[str]:
        """Only the ids: a grid document (villages, workers) is large to send and decode."""
        cursor = self.db.grids.find({"village_codes": village_code}, {"_id": 1})
        return [d["_id"] async for d in cursor]

    # tokens
    async def put_token(self, doc: dict[str, Any]) -> None:
        await self.db.tokens.insert_one(doc)

    async def token(self, digest: str) -> dict[str, Any] | None:
        return await self.db.tokens.find_one({"_id": digest})


async def _insert_new(collection: AsyncCollection[Any], docs: list[dict[str, Any]]
                      ) -> set[str]:
    """Insert the documents whose `_id` is new (unordered, one round trip); the ids inserted."""
    if not docs:
        return set()
    try:
        await collection.insert_many(docs, ordered=False)
    except BulkWriteError as exc:
        errors = exc.details.get("writeErrors", [])
        if any(e.get("code") != DUPLICATE_KEY for e in errors):
            raise
        taken = {e["index"] for e in errors}
        return {doc["_id"] for i, doc in enumerate(docs) if i not in taken}
    return {doc["_id"] for doc in docs}
