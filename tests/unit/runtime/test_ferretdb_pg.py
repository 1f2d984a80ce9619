"""The pushdown index names are deterministic (so re-running finds them) and fit PostgreSQL."""

from __future__ import annotations

from paicha.stack.config import StackSettings
from paicha_runtime.ferretdb_pg import index_name


def test_index_names_are_stable_distinct_and_within_63_bytes():
    table = "a_very_long_collection_name_that_ferretdb_mangled_abcdef_1234abcd"
    names = {index_name(table, f) for f in ("_id", "grid_id", "status")}
    assert len(names) == 3
    assert index_name(table, "_id") == index_name(table, "_id")
    assert all(len(n.encode()) <= 63 and n.endswith("_gin") for n in names)


def test_the_stack_names_its_postgresql_only_on_that_store():
    pg = StackSettings(store="postgresql", postgres_port=6543)
    assert pg.ferretdb_postgresql_url == "postgres://paicha@127.0.0.1:6543/ferretdb"
    assert StackSettings(store="sqlite").ferretdb_postgresql_url is None
