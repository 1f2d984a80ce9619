"""The dedupe store in MongoDB: which record ids intake claimed, when, and which it published.

Two insert-only collections keyed by ``_id`` = record id (the unique index): ``intake_records``
(a claim: feed, source record id, received_at; state "publishing") and ``intake_published``
(a marker: state "published"). Why not one document with a state field: FerretDB v1 (the local
store) scans the whole collection on every update, ~0.1 s per update at 50k documents, while
inserts against the unique index stay ~0.02 ms per document. Inserts are single-document atomic,
so concurrent claims of one id are decided by the index (no transactions needed).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError, PyMongoError

from paicha_runtime.mongo import MongoSettings
from services.intake.ports import PUBLISHED, PUBLISHING, Claim, Existing, StoreUnavailable

DUPLICATE_KEY = 11000
# FerretDB v1 answers `_id` equality from its index but scans for `$in`: look up a few ids one
# by one, many at once.
_ONE_BY_ONE = 32


class MongoDedupeStore:
    def __init__(self, settings: MongoSettings, *, claims: str = "intake_records",
                 published: str = "intake_published") -> None:
        self._settings = settings
        self._names = (claims, published)
        self._client: AsyncMongoClient | None = None

    def _collections(self) -> tuple[AsyncCollection, AsyncCollection]:
        if self._client is None:  # created lazily: one client per event loop
            self._client = self._settings.client()
        db = self._client[self._settings.database]
        return db[self._names[0]], db[self._names[1]]

    async def claim(self, claims: Sequence[Claim]) -> Mapping[str, Existing]:
        claimed, _ = self._collections()
        docs = [{"_id": c.record_id, "feed": c.feed, "source_record_id": c.source_record_id,
                 "received_at": c.received_at, "channel": c.channel} for c in claims]
        taken = await _insert_new(claimed, docs)
        return await self._existing(taken) if taken else {}

    async def _existing(self, record_ids: list[str]) -> dict[str, Existing]:
        claimed, published = self._collections()
        try:
            claims = {d["_id"]: d for d in await _find(claimed, record_ids)}
            done = {d["_id"] for d in await _find(published, record_ids)}
        except PyMongoError as exc:
            raise StoreUnavailable(f"store lookup failed: {exc}") from exc
        out = {}
        for rid in record_ids:
            received: datetime = claims[rid]["received_at"]
            out[rid] = Existing(PUBLISHED if rid in done else PUBLISHING, received,
                                claims[rid].get("channel"))
        return out

    async def mark_published(self, record_ids: Sequence[str]) -> None:
        _, published = self._collections()
        await _insert_new(published, [{"_id": rid} for rid in record_ids])

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


async def _find(collection: AsyncCollection, ids: list[str]) -> list[dict[str, Any]]:
    if len(ids) <= _ONE_BY_ONE:
        found = await asyncio.gather(*(collection.find_one({"_id": i}) for i in ids))
        return [d for d in found if d is not None]
    out: list[dict[str, Any]] = []
    for start in range(0, len(ids), 1000):
        out += await collection.find({"_id": {"$in": ids[start:start + 1000]}}).to_list(None)
    return out
