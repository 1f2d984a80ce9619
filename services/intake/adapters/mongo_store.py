"""The dedupe store in MongoDB: which record ids intake claimed, when, and which it published.

Two insert-only collections keyed by ``_id`` = record id (the unique index): ``intake_records``
(a claim: feed, source record id, received_at, channel; state "publishing") and
``intake_published`` (a marker: state "published"). Why not one document with a state field:
FerretDB v1 on SQLite scans the whole collection on every update, ~0.1 s per update at 50k
documents, while inserts against the unique index stay cheap. Inserts are single-document
atomic, so concurrent claims of one id are decided by the index (no transactions needed).

A re-send must cost no more than the first send. Both kinds of documents carry ``call``, a digest
of the set of record ids claimed (or marked) together; a call that sends the same records again
(a feed retrying) finds all of them with one indexed equality query per collection instead of
thousands of failed inserts and lookups. Ids not found that way are claimed by insert and the ones
taken are looked up one `_id` at a time: FerretDB v1 pushes `_id` equality down to an index on
both backends (on PostgreSQL through the GIN index `ensure_indexes` declares), while `$in` scans
the collection on both (~2 s for 20 ids at 20k documents on PostgreSQL). The collections and their
indexes are declared on first use, not at start, so intake starts (and answers 503) while the
store is away.
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

from paicha_runtime.mongo import MongoSettings, ensure_indexes
from services.intake.ports import PUBLISHED, PUBLISHING, Claim, Existing, StoreUnavailable

DUPLICATE_KEY = 11000
# Concurrent `_id` lookups in flight at once (the client's pool holds 100 connections).
_LOOKUPS_IN_FLIGHT = 32


class MongoDedupeStore:
    def __init__(self, settings: MongoSettings, *, claims: str = "intake_records",
                 published: str = "intake_published") -> None:
        self._settings = settings
        self._names = (claims, published)
        self._client: AsyncMongoClient | None = None
        self._declared = False

    def _collections(self) -> tuple[AsyncCollection, AsyncCollection]:
        if self._client is None:  # created lazily: one client per event loop
            self._client = self._settings.client()
        db = self._client[self._settings.database]
        return db[self._names[0]], db[self._names[1]]

    async def _declared_collections(self) -> tuple[AsyncCollection, AsyncCollection]:
        """The collections, created with their indexes on first use (idempotent, so two calls
        racing here, or two intake processes, are harmless)."""
        claimed, published = self._collections()
        if not self._declared:
            try:
                for collection in (claimed, published):
                    await ensure_indexes(collection.database, collection.name,
                                         [IndexModel("call")], self._settings)
            except (PyMongoError, psycopg.Error) as exc:
                raise StoreUnavailable(f"store unavailable: {exc}") from exc
            self._declared = True
        return claimed, published

    async def claim(self, claims: Sequence[Claim]) -> Mapping[str, Existing]:
        claimed, published = await self._declared_collections()
        call = _digest(c.record_id for c in claims)
        try:  # the same set of records claimed before (a re-send): one indexed query
            before = {d["_id"]: d for d in await claimed.find({"call": call}).to_list(None)}
        except PyMongoError as exc:
            raise StoreUnavailable(f"store lookup failed: {exc}") from exc
        docs = [{"_id": c.record_id, "feed": c.feed, "source_record_id": c.source_record_id,
                 "received_at": c.received_at, "channel": c.channel, "call": call}
                for c in claims if c.record_id not in before]
        taken = await _insert_new(claimed, docs) if docs else []
        if not before and not taken:
            return {}
        try:
            if taken:
                before.update((d["_id"], d) for d in await _find(claimed, taken))
            done: set[str] = set()
            if len(before) > len(taken):  # published together, as one call: one query
                marks = published.find({"call": call}, {"_id": 1})
                done = {d["_id"] for d in await marks.to_list(None)}
            done.update(d["_id"] for d in await _find(
                published, [rid for rid in before if rid not in done]))
        except PyMongoError as exc:
            raise StoreUnavailable(f"store lookup failed: {exc}") from exc
        return {rid: Existing(PUBLISHED if rid in done else PUBLISHING, d["received_at"],
                              d.get("channel")) for rid, d in before.items()}

    async def mark_published(self, record_ids: Sequence[str]) -> None:
        _, published = await self._declared_collections()
        call = _digest(record_ids)
        await _insert_new(published, [{"_id": rid, "call": call} for rid in record_ids])

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


def _digest(record_ids: Iterable[str]) -> str:
    """The same for the same set of ids, whatever their order."""
    return hashlib.sha256("\n".join(sorted(set(record_ids))).encode()).hexdigest()[:32]


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


async def _find(collection: AsyncCollection, ids: list[str]) -> list[dict[str, Any]]:
    """The documents with these `_id`s, each looked up by equality (pushed down to an index)."""
    gate = asyncio.Semaphore(_LOOKUPS_IN_FLIGHT)

    async def one(record_id: str) -> dict[str, Any] | None:
        async with gate:
            found: dict[str, Any] | None = await collection.find_one({"_id": record_id})
            return found

    return [d for d in await asyncio.gather(*(one(i) for i in ids)) if d is not None]
