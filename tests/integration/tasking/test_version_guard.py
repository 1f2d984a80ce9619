"""The version guard under two processes' worth of concurrency on the real MongoDB-protocol
store: two clients race conditional whole-document replaces (as ``TaskStore.save``) and
conditional ``$set``s (as ``TaskStore.drop_outbox``) on one document; every write that reports
success is kept, none is undone by another, so the counts add up. What two tasking processes
on one database rely on."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from pymongo import AsyncMongoClient

from tests.integration.intake.helpers import drop_database

pytestmark = pytest.mark.integration
ROUNDS = 60


async def _writer(client: AsyncMongoClient, database: str, field: str) -> int:
    tasks = client[database].tasks
    done = 0
    for i in range(ROUNDS):
        while True:
            doc = await tasks.find_one({"_id": "t"})
            assert doc is not None
            version = doc["version"]
            if i % 2:  # a whole-document replace, as a task save
                new = {**doc, field: doc.get(field, 0) + 1, "version": version + 1}
                result = await tasks.replace_one({"_id": "t", "version": version}, new)
            else:  # a field update, as an outbox drop (here it also counts)
                result = await tasks.update_one(
                    {"_id": "t", "version": version},
                    {"$set": {field: doc.get(field, 0) + 1, "version": version + 1}})
            if result.matched_count == 1:
                done += 1
                break
    return done


@pytest.mark.xfail(reason="FerretDB v1.24.2 on PostgreSQL (the local stack) applies two clients' "
                   "conditional writes of one document non-atomically: both report a match "
                   "(measured: 240 successes, 186 applied); see docs/tasking.md Known limits",
                   strict=False)
async def test_conditional_writes_from_two_clients_never_undo_each_other(mongo_url: str) -> None:
    database = f"t_guard_{uuid.uuid4().hex[:8]}"
    clients = [AsyncMongoClient(mongo_url), AsyncMongoClient(mongo_url)]
    try:
        await clients[0][database].tasks.insert_one({"_id": "t", "version": 0})
        done = await asyncio.gather(
            *(_writer(c, database, f) for c in clients for f in ("a", "b")))
        doc = await clients[0][database].tasks.find_one({"_id": "t"})
        assert doc is not None
        assert done == [ROUNDS] * 4
        assert (doc["a"], doc["b"], doc["version"]) == (2 * ROUNDS, 2 * ROUNDS, 4 * ROUNDS)
    finally:
        for c in clients:
            await c.close()
        await drop_database(mongo_url, database)
