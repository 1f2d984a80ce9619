"""Intake's dedupe store on the real store: a re-send of the same records (found by the call
digest in one query), overlapping calls (found one id at a time) and claims left publishing all
answer what existed before, with the first claim's time and channel."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from paicha_runtime.mongo import MongoSettings
from services.intake.adapters.mongo_store import MongoDedupeStore
from services.intake.ports import PUBLISHED, PUBLISHING, Claim, Mark
from tests.integration.intake.helpers import drop_database

pytestmark = pytest.mark.integration
FIRST = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
async def store(mongo_url: str, ferretdb_postgresql_url: str | None
                ) -> AsyncIterator[MongoDedupeStore]:
    settings = MongoSettings(url=mongo_url, database=f"t-dedupe-{uuid.uuid4().hex[:10]}",
                             ferretdb_postgresql_url=ferretdb_postgresql_url)
    made = MongoDedupeStore(settings)
    yield made
    await made.close()
    await drop_database(mongo_url, settings.database)


def claims(ids: list[str], at: datetime = FIRST, channel: str = "http") -> list[Claim]:
    return [Claim(rid, "bigdata", f"src-{rid}", at, channel) for rid in ids]


def marks(ids: list[str], at: datetime = FIRST) -> list[Mark]:
    return [Mark(rid, at) for rid in ids]


async def test_a_resend_of_published_records_finds_them_all(store):
    ids = [f"r{i}" for i in range(50)]
    assert await store.claim(claims(ids)) == {}
    await store.mark_published(marks(ids))

    again = await store.claim(claims(list(reversed(ids)), FIRST + timedelta(hours=1), "file"))
    assert set(again) == set(ids)
    assert {e.state for e in again.values()} == {PUBLISHED}
    assert {(e.received_at, e.channel) for e in again.values()} == {(FIRST, "http")}


async def test_an_overlapping_call_claims_the_new_and_reports_the_old(store):
    await store.claim(claims(["a", "b", "c"]))
    await store.mark_published(marks(["a", "b", "c"]))

    later = FIRST + timedelta(hours=2)
    result = await store.claim(claims(["b", "c", "d"], later, "kafka"))
    assert {rid: e.state for rid, e in result.items()} == {"b": PUBLISHED, "c": PUBLISHED}
    d = (await store.claim(claims(["d"])))["d"]  # "d" was claimed by that call, not published
    assert (d.state, d.received_at, d.channel) == (PUBLISHING, later, "kafka")


async def test_claims_left_publishing_are_reported_so_with_their_first_time_and_channel(store):
    await store.claim(claims(["x", "y", "z"], channel="kafka"))
    await store.mark_published(marks(["x", "y"]))  # as if intake died before marking z

    result = await store.claim(claims(["x", "y", "z"], FIRST + timedelta(days=1), "http"))
    assert {rid: e.state for rid, e in result.items()} == {
        "x": PUBLISHED, "y": PUBLISHED, "z": PUBLISHING}
    assert (result["z"].received_at, result["z"].channel) == (FIRST, "kafka")
    assert (await store.claim(claims(["z"])))["z"].state == PUBLISHING
