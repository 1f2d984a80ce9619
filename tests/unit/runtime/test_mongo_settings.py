"""The store client every service makes: bounded, so all of them together stay below what
FerretDB on PostgreSQL can serve without hanging (two pooled connections per update)."""

from __future__ import annotations

from paicha_runtime.mongo import MongoSettings


async def test_the_client_keeps_at_most_ten_operations_in_flight_by_default() -> None:
    client = MongoSettings().client()
    try:
        assert client.options.pool_options.max_pool_size == 10
    finally:
        await client.close()


async def test_the_bound_is_a_setting() -> None:
    client = MongoSettings(max_pool_size=3).client()
    try:
        assert client.options.pool_options.max_pool_size == 3
    finally:
        await client.close()
