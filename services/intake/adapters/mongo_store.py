"""The dedupe store in MongoDB: which record ids intake claimed, when, and which it published.

Two insert-only collections keyed by ``_id`` = record id (the unique index): ``intake_records``
(a claim: feed, source record id, received_at, the event's JSON; state "publishing") and
``intake_published`` (a marker: state "published"). Both carry ``slot``, the claim's time slot
(declared index), so the sweep finds claims without a marker by equality on one slot at a time;
``intake_sweep`` holds how far the sweep got. Why not one document with a state field:
FerretDB v1 (the local store) scans the whole collection on every update, ~0.1 s per update
at 50k documents, while inserts against the unique index stay ~0.02 ms per document. Inserts
are single-document atomic, so concurrent claims of one id are decided by the index (no
transactions needed).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

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
# FerretDB v1 answers `_id` equality from its index but scans for `$in`: look up a few ids one
# by one, many at once.
_ONE_BY_ONE = 32
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

    async def ensure_indexes(self) -> None:
        """Declare the ``slot`` index of both collections (once; raises StoreUnavailable)."""
        if self._indexed:
            return
        claimed, published = self._collections()
        try:
            for collection in (claimed, published):
                await ensure_indexes(collection.database, collection.name,
                                     [IndexModel([("slot", 1)])], self._settings)
        except PyMongoError as exc:
            raise StoreUnavailable(f"store unavailable: {exc}") from exc
        self._indexed = True

    def _collections(self) -> tuple[AsyncCollection, AsyncCollection]:
        if self._client is None:  # created lazily: one client per event loop
            self._client = self._settings.client()
        db = self._client[self._settings.database]
        return db[self._names[0]], db[self._names[1]]

    async def claim(self, claims: Sequence[Claim]) -> Mapping[str, Existing]:
        claimed, _ = self._collections()
        docs = [{"_id": c.record_id, "feed": c.feed, "source_record_id": c.source_record_id,
                 "received_at": c.received_at, "channel": c.channel,
                 "slot": sweep_slot(c.received_at, self._slot_s), **_event_doc(c.message)}
                for c in claims]
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

    async def mark_published(self, marks: Sequence[Mark]) -> None:
        _, published = self._collections()
        await _insert_new(published, [
            {"_id": m.record_id, "slot": sweep_slot(m.received_at, self._slot_s)}
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


async def _find(collection: AsyncCollection, ids: list[str]) -> list[dict[str, Any]]:
    if len(ids) <= _ONE_BY_ONE:
        found = await asyncio.gather(*(collection.find_one({"_id": i}) for i in ids))
        return [d for d in found if d is not None]
    out: list[dict[str, Any]] = []
    for start in range(0, len(ids), 1000):
        out += await collection.find({"_id": {"$in": ids[start:start + 1000]}}).to_list(None)
    return out


def _event_doc(message: Message | None) -> dict[str, Any]:
    # The value only, as text: the sweep encodes the event again (same id, time, headers).
    # FerretDB stores binary fields several times slower than strings (measured: 500 claims
    # with the message as bytes 270-330 ms, with the value as a string 75 ms, without 60-80).
    return {} if message is None else {"event": message.value.decode()}
