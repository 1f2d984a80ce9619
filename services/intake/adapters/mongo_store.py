"""Durable dedupe for intake: MongoDB (FerretDB locally), two insert-only collections.

``intake_records`` holds a claim per record id (feed, source record id, received_at, channel,
the event's JSON; state "publishing") and ``intake_published`` a marker (state "published").
Why not one document with a state field: FerretDB v1 on SQLite scans the whole collection on
every update, ~0.1 s per update at 50k documents, while inserts against the unique index stay
cheap. Inserts are single-document atomic, so concurrent claims of one id are decided by the
index (no transactions needed).

Both kinds of documents carry two declared (indexed) fields:
- ``slot``, the claim's time slot, so the sweep finds claims without a marker by equality on one
  slot at a time (``intake_sweep`` holds how far the sweep got);
- ``call``, a digest of the set of record ids claimed (or marked) together, so a call that sends
  the same records again (a feed retrying) finds all of them with one indexed equality query per
  collection instead of thousands of lookups. Where equality is served by an index (MongoDB;
  FerretDB on PostgreSQL with the GIN indexes ``ensure_indexes`` adds) that query runs before the
  insert, so a re-send inserts nothing; other ids are looked up one ``_id`` at a time. On FerretDB
  over SQLite, where such queries (and ``$in``, and, as measured, ``_id`` lookups at 100k
  documents) scan the collection, the digest query runs only once an insert found ids taken, and
  other ids are looked up a thousand per ``$in``.
The collections and their indexes are declared on first use, not at start, so intake starts (and
answers 503) while the store is away.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import psycopg
from pymongo import AsyncMongoClient, IndexModel
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError, PyMongoError

from contracts.envelope import Message
from paicha_runtime.mongo import MongoSettings, ensure_indexes
from services.intake.ports import (
    PUBLISHED,
    PUBLISHING,
    Claim,
    Existing,
    Mark,
    StoreUnavailable,
    Unconfirmed,
    sweep_slot,
)

DUPLICATE_KEY = 11000
# Concurrent `_id` lookups in flight at once (the client's pool holds 100 connections).
_LOOKUPS_IN_FLIGHT = 32
_CURSOR = "cursor"


class MongoDedupeStore:
    def __init__(self, settings: MongoSettings, *, claims: str = "intake_records",
                 published: str = "intake_published", sweep: str = "intake_sweep",
                 slot_s: int = 60) -> None:
        self._settings = settings
        self._names = (claims, published)
        self._sweep_name, self._slot_s = sweep, slot_s
        self._client: AsyncMongoClient | None = None
        self._indexed = False
        self._equality_indexed = True  # equality lookups are served by an index (see below)

    async def ensure_indexes(self) -> None:
        """Declare the ``slot`` and ``call`` indexes of both collections (once, idempotent, so
        two calls racing here, or two intake processes, are harmless; raises StoreUnavailable)."""
        if self._indexed:
            return
        claimed, published = self._collections()
        try:
            for collection in (claimed, published):
                await ensure_indexes(collection.database, collection.name,
                                     [IndexModel([("slot", 1)]), IndexModel([("call", 1)])],
                                     self._settings)
            info = await claimed.database.client.admin.command("buildInfo")
        except (PyMongoError, psycopg.Error) as exc:
            raise StoreUnavailable(f"store unavailable: {exc}") from exc
        # MongoDB, and FerretDB with the GIN indexes on PostgreSQL, serve equality from an
        # index; FerretDB otherwise (SQLite) scans, so there a query must do many ids at once.
        self._equality_indexed = ("ferretdbVersion" not in info
                                  or self._settings.ferretdb_postgresql_url is not None)
        self._indexed = True

    def _collections(self) -> tuple[AsyncCollection, AsyncCollection]:
        if self._client is None:  # created lazily: one client per event loop
            self._client = self._settings.client()
        db = self._client[self._settings.database]
        return db[self._names[0]], db[self._names[1]]

    async def claim(self, claims: Sequence[Claim]) -> Mapping[str, Existing]:
        await self.ensure_indexes()
        claimed, published = self._collections()
        call = _digest(c.record_id for c in claims)
        indexed = self._equality_indexed
        try:
            # The same set of records claimed before (a re-send)? One indexed query; where it
            # would be a scan, only after the insert found ids taken.
            before = await _by_call(claimed, call) if indexed else {}
            docs = [{"_id": c.record_id, "feed": c.feed, "source_record_id": c.source_record_id,
                     "received_at": c.received_at, "channel": c.channel, "call": call,
                     "slot": sweep_slot(c.received_at, self._slot_s), **_event_doc(c.message)}
                    for c in claims if c.record_id not in before]
            taken = await _insert_new(claimed, docs) if docs else []
            if not before and not taken:
                return {}
            if taken and not indexed:  # (not the ones this call just inserted)
                taken_ids = set(taken)
                before = {rid: d for rid, d in (await _by_call(claimed, call)).items()
                          if rid in taken_ids}
            missing = [rid for rid in taken if rid not in before]
            before.update((d["_id"], d) for d in await _find(claimed, missing, indexed))
            done = set(await _by_call(published, call))  # marked together, as one call
            done.update(d["_id"] for d in await _find(
                published, [rid for rid in before if rid not in done], indexed))
        except PyMongoError as exc:
            raise StoreUnavailable(f"store lookup failed: {exc}") from exc
        return {rid: Existing(PUBLISHED if rid in done else PUBLISHING, d["received_at"],
                              d.get("channel")) for rid, d in before.items()}

    async def mark_published(self, marks: Sequence[Mark]) -> None:
        await self.ensure_indexes()
        _, published = self._collections()
        call = _digest(m.record_id for m in marks)
        await _insert_new(published, [
            {"_id": m.record_id, "call": call, "slot": sweep_slot(m.received_at, self._slot_s)}
            for m in marks])

    async def unconfirmed(self, slot: int) -> list[Unconfirmed]:
        """Claims of the slot without a published marker (two equality queries on ``slot``)."""
        claimed, published = self._collections()
        try:
            done = {d["_id"] for d in await published.find({"slot": slot}, {"_id": 1}
                                                              ).to_list(None)}
            claims = await claimed.find({"slot": slot}).to_list(None)
        except PyMongoError as exc:
            raise StoreUnavailable(f"store lookup failed: {exc}") from exc
        return [Unconfirmed(d["_id"], d["feed"], d["received_at"], d["event"])
                for d in claims if d["_id"] not in done and "event" in d]

    async def sweep_cursor(self) -> int | None:
        try:
            doc = await self._client_db()[self._sweep_name].find_one({"_id": _CURSOR})
        except PyMongoError as exc:
            raise StoreUnavailable(f"store lookup failed: {exc}") from exc
        if doc is None or doc.get("slot_s") != self._slot_s:
            return None  # first sweep, or the slot size changed: start afresh
        slot: int = doc["slot"]
        return slot

    async def save_sweep_cursor(self, slot: int) -> None:
        try:  # one small document: an update is cheap even where updates scan
            await self._client_db()[self._sweep_name].replace_one(
                {"_id": _CURSOR}, {"slot": slot, "slot_s": self._slot_s}, upsert=True)
        except PyMongoError as exc:
            raise StoreUnavailable(f"store write failed: {exc}") from exc

    def _client_db(self) -> Any:
        claimed, _ = self._collections()
        return claimed.database

    async def ping(self) -> bool:
        claimed, _ = self._collections()
        try:  # a readiness probe must answer fast, not after server selection gives up
            await asyncio.wait_for(claimed.database.command("ping"), 2)
        except (PyMongoError, TimeoutError):
            return False
        return True

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None


async def _insert_new(collection: AsyncCollection, docs: list[dict[str, Any]]) -> list[str]:
    """Insert what is new; return the ids that already existed (unique-index violations)."""
    try:
        await collection.insert_many(docs, ordered=False)
    except BulkWriteError as exc:
        errors = exc.details.get("writeErrors", [])
        if any(e.get("code") != DUPLICATE_KEY for e in errors):
            raise StoreUnavailable(f"store refused writes: {errors[:1]}") from exc
        return [docs[e["index"]]["_id"] for e in errors]
    except PyMongoError as exc:
        raise StoreUnavailable(f"store unavailable: {exc}") from exc
    return []


def _digest(record_ids: Iterable[str]) -> str:
    """The same for the same set of ids, whatever their order."""
    return hashlib.sha256("\n".join(sorted(set(record_ids))).encode()).hexdigest()[:32]


async def _by_call(collection: AsyncCollection, call: str) -> dict[str, dict[str, Any]]:
    """`_id` → document of the documents written together under this call digest."""
    return {d["_id"]: d for d in await collection.find({"call": call}).to_list(None)}


async def _find(collection: AsyncCollection, ids: list[str], indexed: bool
                ) -> list[dict[str, Any]]:
    """The documents with these `_id`s: one equality lookup each where an index serves it,
    else (FerretDB on SQLite, where `$in` and most lookups scan) a thousand per query."""
    if not ids:
        return []
    if not indexed:
        out: list[dict[str, Any]] = []
        for start in range(0, len(ids), 1000):
            out += await collection.find({"_id": {"$in": ids[start:start + 1000]}}).to_list(None)
        return out
    gate = asyncio.Semaphore(_LOOKUPS_IN_FLIGHT)

    async def one(record_id: str) -> dict[str, Any] | None:
        async with gate:
            found: dict[str, Any] | None = await collection.find_one({"_id": record_id})
            return found

    return [d for d in await asyncio.gather(*(one(i) for i in ids)) if d is not None]


def _event_doc(message: Message | None) -> dict[str, Any]:
    # The value only, as text: the sweep encodes the event again (same id, time, headers).
    # FerretDB stores binary fields several times slower than strings (measured: 500 claims
    # with the message as bytes 270-330 ms, with the value as a string 75 ms, without 60-80).
    return {} if message is None else {"event": message.value.decode()}
