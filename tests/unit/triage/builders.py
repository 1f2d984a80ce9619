"""Builders for triage unit tests: a fixed clock in Beijing time and records, designations and
registries with sensible defaults, so each test states only what it is about."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from services.triage.domain import (
    Designation,
    Exposure,
    RecordFacts,
    RiskAreaRegistry,
    RiskLevel,
)

BEIJING = timezone(timedelta(hours=8))
ARRIVAL = datetime(2022, 7, 20, 10, 0, tzinfo=BEIJING)
RECEIVED = ARRIVAL + timedelta(hours=1)
COUNTY = "130826"
TOWNSHIP = "130826100"
VILLAGE = "130826100201"
OTHER_VILLAGE_SAME_TOWNSHIP = "130826100202"
OTHER_TOWNSHIP_VILLAGE = "130826200101"
OTHER_COUNTY_VILLAGE = "110105001002"


def at(days: float = 0, hours: float = 0) -> datetime:
    """An instant relative to ARRIVAL (negative is before arrival)."""
    return ARRIVAL + timedelta(days=days, hours=hours)


def record(
    *,
    record_id: str = "rec-1",
    feed: str = "bigdata",
    source_record_id: str | None = None,
    person_key: str = "pk-0001",
    origin: str | None = VILLAGE,
    departed: datetime | None = None,
    arrived: datetime | None = ARRIVAL,
    received: datetime = RECEIVED,
    exposure: Exposure = Exposure.NONE,
    reply_by: datetime | None = None,
    origin_country: str | None = None,
) -> RecordFacts:
    return RecordFacts(
        record_id=record_id,
        feed=feed,
        source_record_id=source_record_id or f"src-{record_id}",
        person_key=person_key,
        origin_code=origin,
        departed_at=departed if departed is not None else at(hours=-3),
        arrived_at=arrived,
        received_at=received,
        exposure=exposure,
        reply_by=reply_by,
        origin_country=origin_country,
    )


def designation(
    code: str = VILLAGE,
    level: RiskLevel | str = RiskLevel.HIGH,
    start: datetime | None = None,
    end: datetime | None = None,
    notice: str = "notice-1",
) -> Designation:
    return Designation(
        area_code=code,
        level=RiskLevel(level),
        effective_from=start if start is not None else at(days=-30),
        effective_to=end,
        notice_id=notice,
    )


def registry(*designations: Designation) -> RiskAreaRegistry:
    return RiskAreaRegistry(designations)
