"""The contact document's version guard on the real MongoDB-protocol store: a new document is
inserted once, a write with a stale version is refused (the caller merges again), and a document
stored before versions existed is replaced once by a write that expects none."""

from __future__ import annotations

import uuid

import pytest

from paicha_runtime.mongo import MongoSettings
from services.tasking.adapters.mongo_store import TaskStore
from tests.integration.intake.helpers import drop_database

pytestmark = pytest.mark.integration


async def test_contact_writes_are_guarded_by_version(mongo_url: str) -> None:
    database = f"t_contacts_{uuid.uuid4().hex[:8]}"
    store = TaskStore(MongoSettings(url=mongo_url, database=database))
    try:
        await store.prepare()
        new = {"_id": "pk-1", "records": [{"record_id": "r1"}]}
        assert await store.put_contact(dict(new))
        assert not await store.put_contact(dict(new))  # another process inserted it first
        stored = await store.get_contact("pk-1")
        assert stored is not None and stored["version"] == 1
        two = {**stored, "records": [*stored["records"], {"record_id": "r2"}]}
        assert await store.put_contact(dict(two))
        assert not await store.put_contact({**stored, "records": []})  # stale: version 1
        after = await store.get_contact("pk-1")
        assert after is not None and after["version"] == 2
        assert [r["record_id"] for r in after["records"]] == ["r1", "r2"]

        await store.db.contacts.insert_one({"_id": "pk-old", "records": []})  # before versions
        legacy = await store.get_contact("pk-old")
        assert legacy is not None and "version" not in legacy
        assert await store.put_contact({**legacy, "version": None, "records": [{"record_id": "x"}]})
        assert not await store.put_contact({**legacy, "version": None, "records": []})
        kept = await store.get_contact("pk-old")
        assert kept is not None and kept["version"] == 1 and kept["records"] == [{"record_id": "x"}]
    finally:
        await store.close()
        await drop_database(mongo_url, database)
