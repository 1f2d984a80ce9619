"""Daily close-out through the handler with an in-memory store and publisher: every record of
the day is closed or carried over with its reason; a day closes once; missed days close on
start, once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from typing import Any

from prometheus_client import CollectorRegistry

from contracts.events import DailyReportClosed
from services.reporting.closeout import CloseoutScheduler
from services.reporting.domain.report import County
from services.reporting.handlers import Reporting
from services.reporting.metrics import ReportingMetrics
from tests.unit.reporting.test_briefing import TODAY, Builder


class MemoryStore:
    def __init__(self) -> None:
        self.facts: dict[str, dict[str, Any]] = {}
        self.closeouts: dict[str, dict[str, Any]] = {}

    async def save(self, facts: list[tuple[str, dict[str, Any]]]) -> int:
        dup = sum(1 for eid, _ in facts if eid in self.facts)
        self.facts.update(dict(facts))
        return dup

    async def load(self) -> AsyncIterator[tuple[str, dict[str, Any]]]:
        for item in list(self.facts.items()):
            yield item

    async def closeout(self, day: date) -> dict[str, Any] | None:
        return self.closeouts.get(day.isoformat())

    async def save_closeout(self, day: date, doc: dict[str, Any]) -> bool:
        return self.closeouts.setdefault(day.isoformat(), doc) is doc

    async def first_run(self, today: date) -> date:
        doc = self.closeouts.setdefault("first-run", {"day": today.isoformat()})
        return date.fromisoformat(doc["day"])


class MemoryPublisher:
    def __init__(self) -> None:
        self.sent: list[DailyReportClosed] = []

    async def publish(self, event: DailyReportClosed) -> str:
        self.sent.append(event)
        return f"id-{event.report_date}"


def _reporting(view_builder: Builder, now: datetime) -> tuple[Reporting, MemoryStore,
                                                              MemoryPublisher]:
    store, publisher = MemoryStore(), MemoryPublisher()
    reporting = Reporting(store=store, publisher=publisher,
                          metrics=ReportingMetrics(CollectorRegistry()),
                          county=County("130826", "丰", "丰宁满族自治县", {}),
                          campaign_start=date(2022, 7, 1), clock=lambda: now)
    reporting.view = view_builder.view
    return reporting, store, publisher


def _day_with_every_status() -> Builder:
    b = Builder()
    b.person("v", [("bigdata", TODAY)], "low_risk_area", "low", "health_monitoring",
             "verified_measure_applied")
    b.person("f", [("bigdata", TODAY)], "low_risk_area", "low", "health_monitoring",
             "system_fault")
    b.person("u", [("selfreport", TODAY)], "low_risk_area", "low", "health_monitoring",
             "unreachable")
    b.person("p", [("assist", TODAY), ("screening", TODAY + timedelta(hours=1))],
             "none", "none", "none")
    return b


async def test_every_record_of_the_day_is_closed_or_carried_over_with_its_reason() -> None:
    reporting, store, publisher = _reporting(_day_with_every_status(),
                                             TODAY + timedelta(days=1))
    closed = await reporting.close_day(TODAY.date())
    assert closed.newly
    event = publisher.sent[0]
    assert event.report_date == TODAY.date()
    assert (event.today.pushed, event.today.verified, event.today.system_fault,
            event.today.unreachable, event.today.pending) == (5, 1, 1, 1, 2)
    reasons = sorted(c.reason for c in event.carried_over or [])
    assert reasons == ["pending", "pending", "system_fault", "unreachable"]
    assert event.carried_over_complete is True
    assert event.text.split("\n")[3] == ("今日推送数据5条，已核实1条，其中剩余1条因系统出现故障无法"
                                         "审核，剩余1条数据无人接听，正在核实，剩余2条正在核查。")
    ledger = store.closeouts[TODAY.date().isoformat()]
    assert len(ledger["verified"]) == 1 and len(ledger["carried_over"]["pending"]) == 2


async def test_a_day_closes_once() -> None:
    reporting, _, publisher = _reporting(_day_with_every_status(), TODAY + timedelta(days=1))
    first = await reporting.close_day(TODAY.date())
    second = await reporting.close_day(TODAY.date())
    assert first.newly and not second.newly
    assert len(publisher.sent) == 1


async def test_missed_midnights_are_closed_on_start_once() -> None:
    now = [TODAY]
    reporting, store, publisher = _reporting(_day_with_every_status(), TODAY)
    reporting.clock = lambda: now[0]
    scheduler = CloseoutScheduler(reporting, store, caught_up=None, grace_s=0,
                                  catch_up_timeout_s=1, clock=lambda: now[0])
    assert await scheduler.close_missed() == []  # first run today: nothing owed yet
    now[0] = TODAY + timedelta(days=3)  # down for two midnights and more
    restarted = CloseoutScheduler(reporting, store, caught_up=None, grace_s=0,
                                  catch_up_timeout_s=1, clock=lambda: now[0])
    days = await restarted.close_missed()
    assert days == [TODAY.date() + timedelta(days=i) for i in range(3)]
    assert await restarted.close_missed() == []
    assert [e.report_date for e in publisher.sent] == days
    assert all(e.closed_at == now[0] for e in publisher.sent)
