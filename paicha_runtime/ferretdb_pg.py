"""FerretDB v1 over PostgreSQL: GIN expression indexes its equality pushdown can use.

FerretDB pushes `{field: value}` down as `_jsonb->'field' @> '"value"'`, which its own btree
index cannot serve; a GIN index on the same expression can. The indexes are made without GIN's
pending list (`fastupdate = off`): with it, every lookup also reads the list of entries not yet
merged (up to 4 MB), which after a bulk insert made `find` by `_id` ~4x slower at 100k documents
until a vacuum merged it; inserts pay a little more instead.

Where a collection lives, as FerretDB v1.24 writes it: the schema is named like the database,
and the schema's `_ferretdb_database_metadata` table holds one row per collection whose `_jsonb`
document has `_id` = the collection name and `table` = its table (e.g. `tasks_227dbaf3`).
FerretDB does not know about these extra indexes (`listIndexes` shows only its own); dropping the
collection drops the table and them with it.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence

import psycopg
from psycopg import sql

log = logging.getLogger(__name__)

METADATA_TABLE = "_ferretdb_database_metadata"


def index_name(table: str, field: str) -> str:
    """Deterministic, unique per (table, field), within PostgreSQL's 63-byte identifiers."""
    digest = hashlib.sha256(f"{table}\0{field}".encode()).hexdigest()[:10]
    return f"{table[:40]}_{digest}_gin"


async def ensure_pushdown_indexes(
    postgresql_url: str, database: str, collection: str, fields: Sequence[str]
) -> list[str]:
    """Create (if missing) one GIN index on `(_jsonb->'<field>')` per field of the collection's
    table in the database's schema. Returns the names of the indexes the fields have.

    Idempotent and safe to run at every start, also by several processes at once. A collection
    FerretDB has not created yet has no table: nothing is done (logged); create the collection
    first (`paicha_runtime.mongo.ensure_indexes` does). Dotted paths are skipped: FerretDB v1
    pushes down top-level fields only.
    """
    top_level = [f for f in dict.fromkeys(fields) if "." not in f and not f.startswith("$")]
    async with await psycopg.AsyncConnection.connect(postgresql_url, autocommit=True) as conn:
        table = await _table_of(conn, database, collection)
        if table is None:
            log.warning("no FerretDB table for %s.%s yet: pushdown indexes not created",
                        database, collection)
            return []
        names = []
        for field in top_level:
            name = index_name(table, field)
            statement = sql.SQL(
                "CREATE INDEX IF NOT EXISTS {name} ON {schema}.{table} "
                "USING gin ((_jsonb->{f})) WITH (fastupdate = off)"
            ).format(
                name=sql.Identifier(name),
                schema=sql.Identifier(database),
                table=sql.Identifier(table),
                f=sql.Literal(field),
            )
            try:
                await conn.execute(statement)
            except psycopg.errors.UniqueViolation:
                pass  # another process created the same index at the same moment
            names.append(name)
        return names


async def _table_of(
    conn: psycopg.AsyncConnection, database: str, collection: str
) -> str | None:
    """The table FerretDB keeps the collection in, from the schema's metadata table."""
    query = sql.SQL(
        "SELECT _jsonb->>'table' FROM {schema}.{meta} WHERE _jsonb->>'_id' = %s"
    ).format(schema=sql.Identifier(database), meta=sql.Identifier(METADATA_TABLE))
    try:
        cur = await conn.execute(query, (collection,))
    except psycopg.errors.UndefinedTable:  # no collection in this database yet: no schema
        return None
    row = await cur.fetchone()
    return None if row is None or row[0] is None else str(row[0])
