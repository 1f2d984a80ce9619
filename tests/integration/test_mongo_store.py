"""The store is real: PyMongo's AsyncMongoClient against FerretDB (or MongoDB)."""

from __future__ import annotations

import pytest
from pymongo import AsyncMongoClient, ReturnDocument
from pymongo.errors import DuplicateKeyError

pytestmark = pytest.mark.integration


async def test_insert_find_update_and_unique_index(mongo_url, unique_name):
    client: AsyncMongoClient = AsyncMongoClient(mongo_url)
    db = client[unique_name("db")]
    try:
        tasks = db["tasks"]
        await tasks.create_index("task_id", unique=True)
        await tasks.insert_one({"task_id": "T1", "grid": "g-01", "attempts": 0})
        await tasks.insert_one({"task_id": "T2", "grid": "g-02", "attempts": 0})

        found = await tasks.find({"grid": "g-01"}, {"_id": 0}).to_list(None)
        assert found == [{"task_id": "T1", "grid": "g-01", "attempts": 0}]

        updated = await tasks.find_one_and_update(
            {"task_id": "T1"},
            {"$inc": {"attempts": 1}, "$set": {"status": "unreachable"}},
            return_document=ReturnDocument.AFTER,  # FerretDB v1: no projection on findAndModify
        )
        assert updated is not None
        updated.pop("_id")
        assert updated == {"task_id": "T1", "grid": "g-01", "attempts": 1, "status": "unreachable"}

        with pytest.raises(DuplicateKeyError):
            await tasks.insert_one({"task_id": "T1", "grid": "g-09"})
        assert await tasks.count_documents({}) == 2
    finally:
        await client.drop_database(db.name)
        await client.close()
