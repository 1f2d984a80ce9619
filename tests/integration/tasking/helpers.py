"""Builders of real input events (cases, records) and the settings a test tasking runs with."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from aiokafka import AIOKafkaProducer

from contracts import events as ev
from contracts.envelope import derived_event_id, encode
from contracts.samples import sample_key, sample_person
from services.tasking.auth import hash_token, new_token
from services.tasking.settings import TaskingSettings

ADMIN_TOKEN = new_token("admin")
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
COUNTY = "130826"


def settings_env(kafka: str, mongo: str, namespace: str) -> dict[str, str]:
    return {
        "TASKING_ENVIRONMENT": "test",
        "TASKING_KAFKA__BOOTSTRAP": kafka,
        "TASKING_KAFKA__TOPIC_NAMESPACE": namespace,
        "TASKING_MONGO__URL": mongo,
        "TASKING_MONGO__DATABASE": namespace.replace(".", "_"),
        "TASKING_ADMIN_TOKEN_HASH": hash_token(ADMIN_TOKEN),
        "TASKING_PUBLISH_TIMEOUT_S": "10",
        "TASKING_OUTBOX_SWEEP_S": "1",
    }


def make_settings(kafka: str, mongo: str, namespace: str, **overrides: Any) -> TaskingSettings:
    values: dict[str, Any] = {
        "environment": "test",
        "kafka": {"bootstrap": kafka, "topic_namespace": namespace},
        "mongo": {"url": mongo, "database": namespace.replace(".", "_")},
        "admin_token_hash": hash_token(ADMIN_TOKEN), "publish_timeout_s": 10,
        "outbox_sweep_s": 1,
    }
    values.update(overrides)
    return TaskingSettings(_env_prefix="IGNORED_", **values)  # type: ignore[call-arg]


def where(township: str | None = "130826100", village: str | None = "130826100200"
          ) -> dict[str, Any]:
    return {"county_code": COUNTY, "township_code": township, "village_code": village}


def record(seq: int, *, now: datetime, feed: str = "bigdata", township: str | None = "130826100",
           village: str | None = "130826100200", reply_by: datetime | None = None,
           arrived_at: datetime | None = None) -> ev.RecordReceived:
    details: Any = ev.BigdataDetails(signal=ev.BigdataSignal.ELECTRONIC_FENCE)
    if feed == "assist":
        details = ev.AssistDetails(request_id=f"XC-{seq}", requesting_province="测试省",
                                   reply_by=reply_by or now + timedelta(hours=1))
    return ev.RecordReceived(
        record_id=f"rec-{seq}", feed=ev.Feed(feed), source_record_id=f"src-{seq}",
        received_at=now, person_key=sample_key(seq), person=sample_person(seq),
        origin=ev.Origin(area_code="110105", area_name="测试区"),
        arrived_at=arrived_at or now - timedelta(hours=1),
        current=ev.Location(**where(township, village), address=f"测试村{seq}号"),
        exposure=ev.Exposure.NONE, details=details)


def case(seq: int, *, now: datetime, kind: type[ev.Event] = ev.CaseOpened, feed: str = "bigdata",
         township: str | None = "130826100", village: str | None = "130826100200",
         due_in: timedelta = timedelta(hours=2), category: str = "high_risk_area",
         test_days: list[int] | None = None, measure_days: int = 7, extra_sources: int = 0,
         **extra: Any) -> ev.Event:
    sources = [ev.SourceRef(feed=ev.Feed(feed), source_record_id=f"src-{seq}",
                            record_id=f"rec-{seq}", received_at=now)]
    sources += [ev.SourceRef(feed=ev.Feed.SELFREPORT, source_record_id=f"src-{seq}-{i}",
                             record_id=f"rec-{seq}-{i}", received_at=now)
                for i in range(1, extra_sources + 1)]
    measure = {"close_contact": "centralized_quarantine", "high_risk_area":
               "centralized_quarantine", "low_risk_area": "health_monitoring",
               "none": "none"}[category]
    return kind(  # type: ignore[call-arg]
        case_id=f"case-{seq}", person_key=sample_key(seq),
        risk_level="high" if category in ("high_risk_area", "close_contact") else
        "low" if category == "low_risk_area" else "none",
        category=category, measure=measure, measure_days=measure_days,
        test_days=[1, 2, 3, 5, 7] if test_days is None else test_days,
        verification_due_at=now + due_in, policy_version="test", sources=sources,
        current=ev.LocationCodes(**where(township, village)), classified_at=now,
        reason="integration test", **extra)


async def produce(bootstrap: str, namespace: str, events: list[ev.Event]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for event in events:
            msg = encode(event, source="/test", key=event.entity_key(),
                         event_id=derived_event_id("test", event.model_dump_json()))
            await producer.send_and_wait(f"{namespace}.{event.topic}", msg.value, key=msg.key,
                                         headers=msg.headers)
    finally:
        await producer.stop()
