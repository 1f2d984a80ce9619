"""FerretDB over PostgreSQL: `ensure_indexes` adds the GIN expression indexes FerretDB's equality
pushdown uses (seen in pg_indexes), idempotently, and finds/updates through FerretDB still work."""

from __future__ import annotations

from collections.abc import AsyncIterator

import psycopg
import pytest
from pymongo import AsyncMongoClient, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from paicha_runtime.ferretdb_pg import ensure_pushdown_indexes
from paicha_runtime.mongo import MongoSettings, ensure_indexes

pytestmark = pytest.mark.integration


@pytest.fixture
def pg_url(ferretdb_postgresql_url: str | None) -> str:
    if ferretdb_postgresql_url is None:
        pytest.skip("the store is not FerretDB on PostgreSQL")
    return ferretdb_postgresql_url


@pytest.fixture
async def db(mongo_url: str, unique_name) -> AsyncIterator[AsyncDatabase]:
    client: AsyncMongoClient = AsyncMongoClient(mongo_url)
    database = client[unique_name("pushdown")]
    yield database
    await client.drop_database(database.name)
    await client.close()


async def _gin_indexes(pg_url: str, schema: str) -> dict[str, str]:
    """index name → definition of the GIN indexes in a database's schema."""
    async with await psycopg.AsyncConnection.connect(pg_url) as conn:
        cur = await conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = %s "
            "AND indexdef LIKE '%%USING gin%%'", (schema,))
        return {name: definition for name, definition in await cur.fetchall()}


async def test_ensure_indexes_adds_a_gin_index_per_field_and_id_idempotently(pg_url, db):
    settings = MongoSettings(database=db.name, ferretdb_postgresql_url=pg_url)
    indexes = [IndexModel([("grid_id", 1), ("status", 1)]), IndexModel("task_id", unique=True)]

    await ensure_indexes(db, "tasks", indexes, settings)
    first = await _gin_indexes(pg_url, db.name)
    await ensure_indexes(db, "tasks", indexes, settings)  # every start calls it again
    assert await _gin_indexes(pg_url, db.name) == first

    expressions = sorted(d.split("USING gin ")[1] for d in first.values())
    assert expressions == sorted(f"(((_jsonb -> '{f}'::text))) WITH (fastupdate=off)"
                                 for f in ("_id", "grid_id", "status", "task_id"))
    # FerretDB's own view of the indexes is unchanged.
    assert sorted(i["name"] for i in await (await db["tasks"].list_indexes()).to_list(None)) == [
        "_id_", "grid_id_1_status_1", "task_id_1"]


async def test_ensure_indexes_creates_a_missing_collection_first(pg_url, db):
    settings = MongoSettings(database=db.name, ferretdb_postgresql_url=pg_url)
    assert await ensure_pushdown_indexes(pg_url, db.name, "later", ["_id"]) == []  # no table yet

    await ensure_indexes(db, "later", [], settings)
    assert "later" in await db.list_collection_names()
    assert len(await _gin_indexes(pg_url, db.name)) == 1  # `_id`


async def test_equality_find_and_update_on_indexed_fields_through_ferretdb(pg_url, db):
    settings = MongoSettings(database=db.name, ferretdb_postgresql_url=pg_url)
    await ensure_indexes(db, "tasks", [IndexModel([("grid_id", 1), ("status", 1)])], settings)
    tasks = db["tasks"]
    await tasks.insert_many([{"_id": f"T{i}", "grid_id": f"g-{i % 10}", "status": "open",
                              "tags": ["a", f"t{i}"]} for i in range(200)])

    result = await tasks.update_one({"_id": "T7"}, {"$set": {"status": "done"}})
    assert (result.matched_count, result.modified_count) == (1, 1)
    assert await tasks.find_one({"_id": "T7"}, {"_id": 0, "status": 1}) == {"status": "done"}
    open_in_7 = await tasks.find({"grid_id": "g-7", "status": "open"}).to_list(None)
    assert len(open_in_7) == 19 and all(d["status"] == "open" for d in open_in_7)
    assert await tasks.count_documents({"grid_id": "g-7", "status": "done"}) == 1
    assert await tasks.find_one({"_id": "T7", "status": "open"}) is None
    # Containment semantics stay MongoDB's: a scalar filter matches array members.
    assert [d["_id"] for d in await tasks.find({"tags": "t5"}).to_list(None)] == ["T5"]


async def test_the_plan_of_an_id_lookup_uses_the_gin_index(pg_url, db):
    settings = MongoSettings(database=db.name, ferretdb_postgresql_url=pg_url)
    await ensure_indexes(db, "tasks", [], settings)
    await db["tasks"].insert_many([{"_id": f"T{i}", "n": i} for i in range(2000)])
    async with await psycopg.AsyncConnection.connect(pg_url) as conn:
        cur = await conn.execute(
            "SELECT _jsonb->>'table' FROM " + f'"{db.name}"' + "._ferretdb_database_metadata "
            "WHERE _jsonb->>'_id' = 'tasks'")
        row = await cur.fetchone()
        assert row is not None
        await conn.execute(f'ANALYZE "{db.name}".{row[0]}')
        cur = await conn.execute(
            f'EXPLAIN SELECT _jsonb FROM "{db.name}".{row[0]} '
            "WHERE _jsonb->'_id' @> '\"T7\"'")
        plan = "\n".join(r[0] for r in await cur.fetchall())
    assert "_gin" in plan, plan
