"""HTTP push on the real broker and store: every feed, every record-level reason code, the
call-level refusals, tokens, and health/metrics."""

from __future__ import annotations

import pytest

from contracts.events import InputRejected, RecordReceived
from contracts.values import person_key
from services.intake.events import record_id
from tests.integration.intake.helpers import SECRET, TOKENS, auth, read_topic, where
from tests.unit.intake.builders import FEEDS, id_number, record, source_id

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("feed", FEEDS)
async def test_each_feed_pushes_a_record_that_lands_normalized_on_the_records_topic(intake, feed):
    src = source_id(feed)
    raw = record(feed, seq=11, source_record_id=src, mobile="199 0000 0011", exposure="密接")
    response = await intake.client.post(
        f"/v1/feeds/{feed}/records", json={"records": [raw]}, headers=auth(feed)
    )
    assert response.status_code == 202, response.text
    assert response.json()["accepted"] == 1
    rid = record_id(feed, src)
    [envelope] = where(
        await read_topic(intake.bootstrap, intake.records_topic), lambda e: e.record_id == rid
    )
    event = envelope.event
    assert isinstance(event, RecordReceived)
    assert envelope.id == rid and envelope.source == "/paicha/intake"
    assert (
        envelope.key
        == event.person_key
        == person_key("resident_id", id_number(11), SECRET.encode())
    )
    assert event.details.feed == feed and event.feed.value == feed
    assert event.person.mobile == "19900000011"
    assert event.exposure.value == "close_contact"
    assert event.arrived_at.isoformat() == "2022-08-01T10:00:00+08:00"
    assert event.received_at.tzinfo is not None


BAD = [  # (record, field, reason) for every record-level reason code
    ("not an object", None, "not_object"),
    (record(name=None), "name", "missing_field"),
    (record(shoe_size=42), "shoe_size", "unknown_field"),
    (record(name=["测试一"]), "name", "invalid_type"),
    (record(signal="卫星定位"), "signal", "invalid_value"),
    (
        record(id_number=id_number(3)[:-1] + ("0" if id_number(3)[-1] != "0" else "1")),
        "id_number",
        "invalid_id_number",
    ),
    (record(mobile="10000000000"), "mobile", "invalid_mobile"),
    (record(origin_area_code="11010"), "origin_area_code", "invalid_area_code"),
    (record(arrived_at="2022-08-32 10:00"), "arrived_at", "invalid_time"),
    (record(departed_at="2022-08-03 10:00"), "departed_at", "time_order"),
    (record(current_address="测" * 40_000), None, "oversized"),
]


async def test_a_call_is_partially_accepted_and_each_rejected_record_is_published(intake):
    good = record(source_record_id=source_id("good"))
    bad = [
        dict(r, source_record_id=source_id("bad")) if isinstance(r, dict) else r for r, _, _ in BAD
    ]
    response = await intake.client.post(
        "/v1/feeds/bigdata/records", json={"records": [good, *bad]}, headers=auth("bigdata")
    )
    assert response.status_code == 202
    body = response.json()
    assert (body["received"], body["accepted"], body["rejected"]) == (12, 1, 11)
    got = [(e["index"], e["field"], e["reason"]) for e in body["errors"]]
    assert got == [(i + 1, field, reason) for i, (_, field, reason) in enumerate(BAD)]
    assert all(e["message"] for e in body["errors"])

    ids = {r["source_record_id"] for r in bad if isinstance(r, dict)}
    events = [e.event for e in await read_topic(intake.bootstrap, intake.rejected_topic)]
    mine = [
        e
        for e in events
        if isinstance(e, InputRejected)
        and (e.source_record_id in ids or e.payload == '"not an object"')
    ]
    assert sorted((e.index, e.reason.value) for e in mine) == sorted(
        (i + 1, reason) for i, (_, _, reason) in enumerate(BAD)
    )
    oversized = next(e for e in mine if e.reason.value == "oversized")
    assert oversized.payload_truncated and len(oversized.payload) == 8192
    assert all(e.channel.value == "http" and e.feed == "bigdata" for e in mine)


async def test_more_than_5000_records_is_413_with_the_limit_in_the_message(intake):
    response = await intake.client.post(
        "/v1/feeds/bigdata/records", json={"records": [record()] * 5001}, headers=auth("bigdata")
    )
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "too_many_records" and "5000" in error["message"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"{not json", 400, "not_json"),
        (b"[1, 2]", 422, "not_object"),
        (b'{"items": []}', 422, "missing_field"),
        (b'{"records": {}}', 422, "invalid_type"),
    ],
)
async def test_a_body_that_is_not_a_records_list_is_refused_whole(intake, body, status, code):
    response = await intake.client.post(
        "/v1/feeds/bigdata/records", content=body, headers=auth("bigdata")
    )
    assert (response.status_code, response.json()["error"]["code"]) == (status, code)


async def test_tokens_missing_wrong_foreign_and_admin(intake):
    payload = {"records": [record("assist", source_record_id=source_id())]}
    url = "/v1/feeds/assist/records"
    missing = await intake.client.post(url, json=payload)
    assert missing.status_code == 401 and missing.headers["www-authenticate"].startswith("Bearer")
    wrong = await intake.client.post(
        url, json=payload, headers={"Authorization": "Bearer " + TOKENS["assist"] + "x"}
    )
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (401, "invalid_token")
    basic = await intake.client.post(url, json=payload, headers={"Authorization": "Basic abc"})
    assert basic.status_code == 401
    foreign = await intake.client.post(url, json=payload, headers=auth("bigdata"))
    assert (foreign.status_code, foreign.json()["error"]["code"]) == (403, "forbidden_feed")
    admin = await intake.client.post(url, json=payload, headers=auth("admin"))
    assert admin.status_code == 202 and admin.json()["accepted"] == 1
    unknown = await intake.client.post(
        "/v1/feeds/weather/records", json=payload, headers=auth("admin")
    )
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "unknown_feed")


async def test_health_readiness_and_metrics_without_pii(intake):
    assert (await intake.client.get("/healthz")).status_code == 200
    ready = await intake.client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {"kafka": "ok", "store": "ok"}
    await intake.client.post(
        "/v1/feeds/bigdata/records",
        json={
            "records": [record(source_record_id=source_id(), seq=21), record(mobile="1", seq=22)]
        },
        headers=auth("bigdata"),
    )
    text = (await intake.client.get("/metrics")).text
    assert 'paicha_intake_records_accepted_total{channel="http",feed="bigdata"}' in text
    assert (
        'paicha_intake_records_rejected_total{channel="http",feed="bigdata",reason="invalid_mobile"}'
        in text
    )
    assert (
        "paicha_intake_publish_seconds_bucket" in text
        and "paicha_intake_request_seconds_bucket" in text
    )
    assert (
        "paicha_intake_dedupe_hits_total" in text
        or intake.metric(
            "paicha_intake_dedupe_hits_total", feed="bigdata", channel="http", scope="store"
        )
        == 0
    )
    for pii in (id_number(21), id_number(22), "19900000021", "测试"):
        assert pii not in text
