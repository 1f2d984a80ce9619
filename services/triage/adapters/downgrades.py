"""Downgrades re-triage noticed but did not apply, kept in the `downgrade_notices_by_case`
GlobalTable so an operator can list them from any worker and decide (the domain never lowers
a case by itself)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson

from services.triage.domain import DowngradeNoticed

from .state import Book


def notice_dict(notice: DowngradeNoticed) -> dict[str, Any]:
    return {"case_id": notice.case_id, "person_key": notice.person_key,
            "current": notice.current.value, "would_be": notice.would_be.value,
            "area_code": notice.area_code, "notice_id": notice.notice_id,
            "noticed_at": notice.noticed_at.isoformat()}


def record_downgrade(book: Book, notice: DowngradeNoticed) -> bool:
    """Keep the notice; False when this designation already noticed it for this case."""
    raw = book.get(notice.case_id)
    known: list[dict[str, Any]] = orjson.loads(raw) if raw else []
    entry = notice_dict(notice)
    same = ("area_code", "notice_id", "current", "would_be")
    if any(all(k[f] == entry[f] for f in same) for k in known):
        return False
    book.put(notice.case_id, orjson.dumps([*known, entry]))
    return True


def all_downgrades(values: Iterable[bytes]) -> list[dict[str, Any]]:
    """Every kept notice, newest first."""
    found = [entry for raw in values if raw for entry in orjson.loads(raw)]
    return sorted(found, key=lambda e: (e["noticed_at"], e["case_id"]), reverse=True)
