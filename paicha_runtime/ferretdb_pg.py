"""FerretDB v1 over PostgreSQL: GIN expression indexes its equality pushdown can use.

FerretDB pushes `{field: value}` down as `_jsonb->'field' @> '"value"'`, which its own btree
index cannot serve; a GIN index on the same expression can.
"""

from __future__ import annotations

from collections.abc import Sequence


async def ensure_pushdown_indexes(
    postgresql_url: str, database: str, collection: str, fields: Sequence[str]
) -> None:
    """Create (if missing) one GIN index on `(_jsonb->'<field>')` per field of the collection's
    table in the database's schema."""
    raise NotImplementedError("FerretDB-over-PostgreSQL pushdown indexes: not built yet")
