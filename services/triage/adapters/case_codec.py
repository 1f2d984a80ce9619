"""How a case is kept in the `cases_by_person` table: the domain Case plus what only the service
needs (the partition it lives on, the person's current area codes), as versioned JSON bytes."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import orjson

from services.triage.domain import (
    Case,
    CaseStatus,
    Category,
    Classification,
    Exposure,
    Measure,
    Phase,
    RecordFacts,
    RiskLevel,
)

FORMAT_VERSION = 1


@dataclass(frozen=True)
class StoredCase:
    case: Case
    # The records partition the person's records (and so their case) live on; re-triage
    # commands for partition p only touch cases stored with p.
    partition: int
    # Where the person is now (county/township/village codes), from their latest record.
    current: dict[str, str | None]

    @property
    def person_key(self) -> str:
        return self.case.person_key

    def counties(self) -> frozenset[str]:
        return frozenset(r.origin_code[:6] for r in self.case.records if r.origin_code)

    def with_case(self, case: Case) -> StoredCase:
        return replace(self, case=case)


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None


def _facts(r: RecordFacts) -> dict[str, Any]:
    return {"record_id": r.record_id, "feed": r.feed, "source_record_id": r.source_record_id,
            "person_key": r.person_key, "origin_code": r.origin_code,
            "departed_at": _time(r.departed_at), "arrived_at": _time(r.arrived_at),
            "received_at": _time(r.received_at), "exposure": r.exposure.value,
            "reply_by": _time(r.reply_by), "origin_country": r.origin_country}


def _classification(c: Classification) -> dict[str, Any]:
    follow = ({"measure": c.followed_by.measure.value, "days": c.followed_by.days}
              if c.followed_by else None)
    return {"risk_level": c.risk_level.value, "category": c.category.value,
            "measure": c.measure.value, "measure_days": c.measure_days, "followed_by": follow,
            "test_days": list(c.test_days), "verification_due_at": _time(c.verification_due_at),
            "test_result_due_at": _time(c.test_result_due_at),
            "policy_version": c.policy_version, "notice_ids": list(c.notice_ids)}


def encode_case(stored: StoredCase) -> bytes:
    case = stored.case
    return orjson.dumps({
        "v": FORMAT_VERSION, "partition": stored.partition, "current": stored.current,
        "case_id": case.case_id, "person_key": case.person_key, "status": case.status.value,
        "classified_by": case.classified_by,
        "classification": _classification(case.classification),
        "records": [_facts(r) for r in case.records],
    })


def _read_facts(d: dict[str, Any]) -> RecordFacts:
    received = _parse(d["received_at"])
    assert received is not None
    return RecordFacts(record_id=d["record_id"], feed=d["feed"],
                       source_record_id=d["source_record_id"], person_key=d["person_key"],
                       origin_code=d["origin_code"], departed_at=_parse(d["departed_at"]),
                       arrived_at=_parse(d["arrived_at"]), received_at=received,
                       exposure=Exposure(d["exposure"]), reply_by=_parse(d["reply_by"]),
                       # absent in cases stored before arrivals from abroad were read
                       origin_country=d.get("origin_country"))


def _read_classification(d: dict[str, Any]) -> Classification:
    follow = d["followed_by"]
    due = _parse(d["verification_due_at"])
    assert due is not None
    return Classification(
        risk_level=RiskLevel(d["risk_level"]), category=Category(d["category"]),
        measure=Measure(d["measure"]), measure_days=d["measure_days"],
        followed_by=Phase(Measure(follow["measure"]), follow["days"]) if follow else None,
        test_days=tuple(d["test_days"]), verification_due_at=due,
        test_result_due_at=_parse(d["test_result_due_at"]),
        policy_version=d["policy_version"], notice_ids=tuple(d["notice_ids"]))


def decode_case(raw: bytes) -> StoredCase:
    d = orjson.loads(raw)
    if d.get("v") != FORMAT_VERSION:
        # A future format is upcast here (upcast_v1_v2), never rewritten in place.
        raise ValueError(f"unknown stored case format {d.get('v')!r}")
    case = Case(case_id=d["case_id"], person_key=d["person_key"],
                classification=_read_classification(d["classification"]),
                classified_by=d["classified_by"],
                records=tuple(_read_facts(r) for r in d["records"]),
                status=CaseStatus(d["status"]))
    return StoredCase(case=case, partition=d["partition"], current=d["current"])
