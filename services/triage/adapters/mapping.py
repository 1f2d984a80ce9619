"""Translation between the public event models (contracts) and the triage domain: a received
record becomes RecordFacts, a designation event a Designation, and back."""

from __future__ import annotations

from datetime import datetime

import orjson

from contracts.events import AreaLevel, AssistDetails, RecordReceived, RiskAreaDesignated
from services.triage.domain import Designation, Exposure, RecordFacts, RiskAreaRegistry, RiskLevel


def facts_from_record(event: RecordReceived) -> RecordFacts:
    """The domain's view of a record (no PII); raises ValueError when the domain refuses it."""
    reply_by = event.details.reply_by if isinstance(event.details, AssistDetails) else None
    return RecordFacts(
        record_id=event.record_id,
        feed=event.feed.value,
        source_record_id=event.source_record_id,
        person_key=event.person_key,
        origin_code=event.origin.area_code if event.origin else None,
        departed_at=event.departed_at,
        arrived_at=event.arrived_at,
        received_at=event.received_at,
        exposure=Exposure(event.exposure.value),
        reply_by=reply_by,
        origin_country=event.origin_country,
    )


def current_codes(event: RecordReceived) -> dict[str, str | None]:
    """Where the person is now, as area codes only (the address stays on restricted topics)."""
    here = event.current
    return {"county_code": here.county_code, "township_code": here.township_code,
            "village_code": here.village_code}


def designation_from_event(event: RiskAreaDesignated) -> Designation:
    return Designation(area_code=event.area_code, level=RiskLevel(event.level.value),
                       effective_from=event.effective_from, effective_to=event.effective_to,
                       notice_id=event.notice_id)


def designation_event(*, area_code: str, area_name: str, level: str, effective_from: datetime,
                      effective_to: datetime | None, notice_id: str,
                      designated_at: datetime | None,
                      designated_by: str | None = None) -> RiskAreaDesignated:
    """The event for a designation an operator PUT; raises ValueError (pydantic) when invalid."""
    event = RiskAreaDesignated(area_code=area_code, area_name=area_name,
                               level=AreaLevel(level), effective_from=effective_from,
                               effective_to=effective_to, notice_id=notice_id,
                               designated_at=designated_at, designated_by=designated_by)
    designation_from_event(event)  # the domain's own checks, so a PUT fails before publishing
    return event


# designations_by_area holds, per area code, every notice received for it (JSON of the event).
AreaNotices = dict[str, bytes]


def encode_notices(notices: AreaNotices) -> bytes:
    return orjson.dumps({notice: orjson.loads(raw) for notice, raw in sorted(notices.items())})


def decode_notices(raw: bytes | None) -> AreaNotices:
    if not raw:
        return {}
    return {notice: orjson.dumps(body) for notice, body in orjson.loads(raw).items()}


def notices_events(raw: bytes | None) -> list[RiskAreaDesignated]:
    return [RiskAreaDesignated.model_validate_json(body) for body in decode_notices(raw).values()]


def registry_from(events: list[RiskAreaDesignated]) -> RiskAreaRegistry:
    return RiskAreaRegistry(designation_from_event(e) for e in events)
