"""Task <-> MongoDB document. Dates become ISO strings (BSON has no date-only type); the
document also carries the fields the store looks tasks up by (open, has_timer, has_outbox)."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

from services.tasking.domain.model import (
    Assist,
    Contact,
    Source,
    Status,
    Task,
    TestTask,
    Tier,
)


def _plain(value: Any) -> Any:
    """Plain BSON-ready data; dataclasses field by field (what `dataclasses.asdict` gives, without
    its deep copies: 15 % of tasking's samples in the whole-chain benchmark went there)."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def task_to_doc(task: Task) -> dict[str, Any]:
    doc = _plain(task)
    doc["_id"] = doc.pop("task_id")
    doc["open"] = task.open
    return doc


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:  # a client without tz_aware
        return value.replace(tzinfo=UTC)
    return value


def _times(cls: type, raw: dict[str, Any]) -> dict[str, Any]:
    names = {f.name for f in fields(cls)}
    return {k: (_aware(v) if isinstance(v, datetime) else v) for k, v in raw.items()
            if k in names}


def task_from_doc(doc: dict[str, Any]) -> Task:
    raw = _times(Task, {**doc, "task_id": doc["_id"]})
    raw["status"], raw["tier"] = Status(raw["status"]), Tier(raw["tier"])
    raw["sources"] = [Source(**_times(Source, s)) for s in raw["sources"]]
    raw["tests"] = [TestTask(**{**_times(TestTask, t), "test_date": date.fromisoformat(
        t["test_date"])}) for t in raw.get("tests", [])]
    raw["assists"] = [Assist(**_times(Assist, a)) for a in raw.get("assists", [])]
    raw["contact"] = Contact(**raw["contact"]) if raw.get("contact") else None
    return Task(**raw)
