"""Synthetic triage service inputs: records with valid (made-up) resident ID numbers and
placeholder names, designations, and their Kafka messages, shared by unit, integration and
benchmark code."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from contracts import events as ev
from contracts.envelope import derived_event_id, encode
from contracts.types import SHANGHAI
from contracts.values import check_digit, person_key

SECRET = b"triage-test-secret-not-for-production"
T0 = datetime(2022, 7, 20, 10, 0, tzinfo=SHANGHAI)  # when intake accepted the records
ORIGIN_VILLAGE = "110105001002"  # a village of another county
ORIGIN_TOWNSHIP = ORIGIN_VILLAGE[:9]
NAMES = ("测试一", "测试二", "测试三", "测试四", "测试五")


def id_number(seq: int) -> str:
    """A resident ID number with a valid check digit (made up: 1990-01-01 plus a sequence)."""
    born = date(1990, 1, 1) + timedelta(days=seq // 1000)
    body = f"130826{born:%Y%m%d}{seq % 1000:03d}"
    return body + check_digit(body)


def key_of(seq: int) -> str:
    return person_key("resident_id", id_number(seq), SECRET)


def record(person: int = 1, *, record_id: str | None = None, feed: ev.Feed = ev.Feed.BIGDATA,
           source_record_id: str | None = None, origin: str | None = ORIGIN_VILLAGE,
           exposure: ev.Exposure = ev.Exposure.NONE, received_at: datetime = T0,
           arrived_at: datetime | None = None,
           origin_country: str | None = None) -> ev.RecordReceived:
    rid = record_id or f"rec-{person}-{feed.value}"
    details: Any = {
        ev.Feed.BIGDATA: ev.BigdataDetails(signal=ev.BigdataSignal.ELECTRONIC_FENCE),
        ev.Feed.ASSIST: ev.AssistDetails(request_id=f"req-{rid}", requesting_province="测试省",
                                         reply_by=received_at + timedelta(hours=1)),
        ev.Feed.SELFREPORT: ev.SelfreportDetails(channel=ev.SelfreportChannel.HOTLINE),
        ev.Feed.SCREENING: ev.ScreeningDetails(screened_by="测试卡口"),
        ev.Feed.CONTACTS: ev.ContactsDetails(case_ref="测试病例", last_contact_at=received_at,
                                             contact_kind=ev.ContactKind.SAME_SPACE),
    }[feed]
    arrived = arrived_at or received_at - timedelta(hours=2)
    return ev.RecordReceived(
        record_id=rid, feed=feed, source_record_id=source_record_id or f"src-{rid}",
        received_at=received_at, person_key=key_of(person),
        person=ev.Person(name=NAMES[person % len(NAMES)], id_type=ev.IdType.RESIDENT_ID,
                         id_number=id_number(person)),
        origin=ev.Origin(area_code=origin, area_name="测试村") if origin else None,
        departed_at=arrived - timedelta(hours=3), arrived_at=arrived,
        current=ev.Location(county_code="130826", township_code="130826100",
                            village_code="130826100201", address="测试镇测试村1号"),
        exposure=exposure, details=details, origin_country=origin_country)


def designation(area_code: str = ORIGIN_TOWNSHIP, level: str = "high", *,
                notice_id: str = "notice-1", effective_from: datetime | None = None,
                effective_to: datetime | None = None,
                designated_at: datetime | None = None) -> ev.RiskAreaDesignated:
    return ev.RiskAreaDesignated(
        area_code=area_code, area_name="测试街道", level=ev.AreaLevel(level),
        effective_from=effective_from or T0 - timedelta(days=10), effective_to=effective_to,
        notice_id=notice_id, designated_at=designated_at or T0 + timedelta(hours=1))


def kafka_message(event: ev.Event, *, event_id: str | None = None,
                  source: str = "/paicha/intake") -> dict[str, Any]:
    """What a producer sends for `event`: key, value and headers (binary CloudEvents)."""
    msg = encode(event, source=source, key=event.entity_key(),
                 event_id=event_id or derived_event_id("test", event.model_dump_json()))
    return {"key": msg.key, "value": msg.value, "headers": msg.headers}


def resolution(person: int = 1, case_id: str = "case-x", *, resolution: str = "no_risk",
               task_id: str = "task-1", resolved_at: datetime | None = None) -> ev.CaseResolved:
    return ev.CaseResolved(case_id=case_id, person_key=key_of(person), task_id=task_id,
                           resolution=ev.Resolution(resolution),
                           resolved_at=resolved_at or T0 + timedelta(days=3))
