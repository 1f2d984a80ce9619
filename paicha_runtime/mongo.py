"""MongoDB settings, client construction (PyMongo's AsyncMongoClient, the successor of motor) and
the one way services declare their indexes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel
from pymongo import AsyncMongoClient, IndexModel
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import CollectionInvalid, OperationFailure

NAMESPACE_EXISTS = 48


class MongoSettings(BaseModel):
    """Nested in each service's settings as `mongo` (env e.g. TASKING_MONGO__URL)."""

    url: str = "mongodb://127.0.0.1:27017/"
    database: str = "paicha"
    # How long a call waits for the store before failing (a 503 at the edge, not a hang).
    server_selection_timeout_ms: int = 5000
    # Only when the store is FerretDB on PostgreSQL: that PostgreSQL, so `ensure_indexes` can add
    # the GIN expression indexes FerretDB's equality pushdown uses (see TECH-NOTES / docs).
    ferretdb_postgresql_url: str | None = None
    # At most this many operations of this client at once (PyMongo's default is 100). FerretDB
    # v1.24 on PostgreSQL holds two of its 50 pooled PostgreSQL connections for every update,
    # replace and upsert (the query's cursor, then the write); 50 such calls at once, from all
    # clients together, take every connection and each waits for a second one forever: FerretDB
    # hangs, even `ping` (found by benchmarks/whole_chain.py; docs/performance.md). 10 per
    # client keeps three services and a CLI well below that.
    max_pool_size: int = 10

    def client(self) -> AsyncMongoClient:
        # One client per event loop; FerretDB has no sessions/transactions, so none are used.
        return AsyncMongoClient(
            self.url, serverSelectionTimeoutMS=self.server_selection_timeout_ms, tz_aware=True,
            maxPoolSize=self.max_pool_size,
        )


async def ensure_indexes(
    database: AsyncDatabase[Any],
    collection: str,
    indexes: Sequence[IndexModel],
    settings: MongoSettings,
) -> None:
    """Create a collection's indexes (idempotent). Every service declares its indexes here, so
    on FerretDB over PostgreSQL the equality lookups on the same fields (and on `_id`) also get
    the GIN expression indexes FerretDB's pushdown can use. The collection is created when it
    does not exist yet (so the indexes have a table to go on)."""
    if indexes:
        # One index per command: FerretDB v1.24.2 (PostgreSQL backend) panics and drops the
        # connection on a createIndexes of two or more indexes that all exist already, i.e. on
        # every restart of a service that declares several at once.
        for index in indexes:
            await database[collection].create_indexes([index])
    else:
        await _ensure_collection(database, collection)
    if settings.ferretdb_postgresql_url:
        from paicha_runtime.ferretdb_pg import ensure_pushdown_indexes

        fields = ["_id", *(name for index in indexes for name in index.document["key"])]
        await ensure_pushdown_indexes(settings.ferretdb_postgresql_url, database.name,
                                      collection, list(dict.fromkeys(fields)))


async def _ensure_collection(database: AsyncDatabase[Any], collection: str) -> None:
    try:
        await database.create_collection(collection)
    except CollectionInvalid:
        pass  # it exists already
    except OperationFailure as exc:
        if exc.code != NAMESPACE_EXISTS:  # another process created it a moment ago
            raise
