"""What reporting does: store each batch of facts and merge it into the view; derive the
snapshot (cached per view version); build a day's report; close a day out once (日清日结)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Protocol

from contracts.events import DailyReportClosed
from services.reporting.domain.counters import CountingView
from services.reporting.domain.labels import PENDING, STATUSES, SYSTEM_FAULT, UNREACHABLE
from services.reporting.domain.report import County, build_report
from services.reporting.domain.snapshot import Snapshot, case_status
from services.reporting.metrics import ReportingMetrics

log = logging.getLogger(__name__)
CARRIED_LIST_LIMIT = 10_000  # more would not fit one Kafka message; the ledger has them all


class Store(Protocol):
    async def save(self, facts: Any) -> int: ...
    def load(self) -> Any: ...
    async def closeout(self, day: date) -> dict[str, Any] | None: ...
    async def save_closeout(self, day: date, doc: dict[str, Any]) -> bool: ...


class Publisher(Protocol):
    async def publish(self, event: DailyReportClosed) -> str: ...


@dataclass(frozen=True)
class Closed:
    day: date
    newly: bool
    event_id: str | None
    doc: dict[str, Any]


class Reporting:
    def __init__(self, *, store: Store, publisher: Publisher, metrics: ReportingMetrics,
                 county: County, campaign_start: date,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 snapshot_max_age_s: float = 0.0) -> None:
        self.store, self.publisher, self.metrics = store, publisher, metrics
        self.county, self.campaign_start, self.clock = county, campaign_start, clock
        self.view = CountingView()
        self._snapshot: Snapshot | None = None
        self._taken_at = 0.0
        self._max_age = snapshot_max_age_s
        self._reports: dict[date, dict[str, Any]] = {}

    async def load(self) -> int:
        """Rebuild the view from the stored facts (start-up); returns how many were applied."""
        facts = [item async for item in self.store.load()]
        self.view.apply_many(facts)
        self._refresh_gauges()
        return len(facts)

    async def ingest(self, batch: Iterable[tuple[str, str, dict[str, Any]]]) -> None:
        """Store first (raises when the store is away: nothing is committed), then merge."""
        items = list(batch)
        await self.store.save([(eid, fact) for _, eid, fact in items])
        applied = self.view.apply_many((event_id, fact) for _, event_id, fact in items)
        for (topic, _, _), new in zip(items, applied, strict=True):
            if not new:
                self.metrics.duplicates.labels(topic).inc()

    def snapshot(self, *, fresh: bool = False) -> Snapshot:
        """Counters of the view. Under constant ingest a snapshot up to ``snapshot_max_age_s``
        old is reused (one derivation pass per interval, not per request); ``fresh`` forces
        one that includes every fact merged so far (close-out, rebuild check)."""
        current = self._snapshot
        if current is not None and (current.version == self.view.version or (
                not fresh and time.monotonic() - self._taken_at < self._max_age)):
            return current
        started = time.perf_counter()
        self._snapshot = self.view.snapshot()
        self._taken_at = time.monotonic()
        self._reports.clear()
        self.metrics.snapshot_seconds.observe(time.perf_counter() - started)
        self._refresh_gauges()
        return self._snapshot

    def _refresh_gauges(self) -> None:
        self.metrics.records.set(len(self.view.records))
        if self._snapshot is not None:
            self.metrics.overdue.set(self._snapshot.overdue_now)

    def report(self, day: date, *, fresh: bool = False) -> dict[str, Any]:
        snap = self.snapshot(fresh=fresh)
        cached = self._reports.get(day)
        if cached is None:
            cached = self._reports[day] = build_report(snap, day, self.campaign_start,
                                                       self.county)
        return cached

    def ledger(self, day: date) -> dict[str, list[str]]:
        """Every record received on ``day``, by status now: closed (verified) or carried over."""
        out: dict[str, list[str]] = {s: [] for s in STATUSES}
        for key, rec in self.view.records.items():
            if rec.day == day:
                out[case_status(self.view, self.view.record_case.get(key))].append(rec.record_id)
        for ids in out.values():
            ids.sort()
        return out

    async def close_day(self, day: date) -> Closed:
        """Close ``day`` out once: publish DailyReportClosed (deterministic id), then record it.
        A crash in between re-publishes the same event id on the next try (a duplicate)."""
        existing = await self.store.closeout(day)
        if existing is not None:
            return Closed(day, False, existing.get("event_id"), existing)
        report = self.report(day, fresh=True)
        ledger = self.ledger(day)
        event = closed_event(report, ledger, self.clock())
        event_id = await self.publisher.publish(event)
        doc = {"event_id": event_id, "closed_at": event.closed_at, "today": report["today"],
               "verified": ledger["verified"],
               "carried_over": {r: ledger[r] for r in (SYSTEM_FAULT, UNREACHABLE, PENDING)},
               "text": event.text}
        newly = await self.store.save_closeout(day, doc)
        self.metrics.closeouts.labels("closed" if newly else "already").inc()
        log.info("closed %s: %d records, %d carried over", day, report["today"]["pushed"],
                 sum(len(v) for v in doc["carried_over"].values()))
        return Closed(day, newly, event_id, doc)


def closed_event(report: dict[str, Any], ledger: dict[str, list[str]], now: datetime
                 ) -> DailyReportClosed:
    carried = [{"record_id": rid, "reason": reason}
               for reason in (SYSTEM_FAULT, UNREACHABLE, PENDING) for rid in ledger[reason]]
    measures = report["persons"]["cumulative"]["measures_applied"]
    return DailyReportClosed.model_validate({
        "report_date": report["date"], "campaign_start": report["campaign_start"],
        "closed_at": now, "today": report["today"], "cumulative": report["cumulative"],
        "feeds": [{"feed": f["feed"], "today": f["today"], "cumulative": f["cumulative"]}
                  for f in report["feeds"]],
        "measures": {m: measures.get(m, 0) for m in
                     ("centralized_quarantine", "home_quarantine", "health_monitoring")},
        "overdue": report["tasks"]["overdue_now"],
        "rejected_by_reason": report["rejected"]["today"]["by_reason"],
        "text": "\n".join(report["briefing"]),
        "escalated": report["tasks"]["escalated_today"],
        "tests": report["tests"]["today"],
        "townships": [{"township_code": t["code"], "today": t["today"]}
                      for t in report["townships"]],
        "carried_over": carried[:CARRIED_LIST_LIMIT],
        "carried_over_complete": len(carried) <= CARRIED_LIST_LIMIT,
    })
