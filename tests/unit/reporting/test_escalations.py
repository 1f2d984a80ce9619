"""A task chased up the whole ladder in one day — overdue at the grid, escalated to the
township, overdue there, escalated to the county, overdue there and held — is one task that went
overdue, one task escalated (docs/reporting.md: distinct tasks) and one task overdue now. Found
by the chain's chaos suite, where every task escalated twice and counted twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from contracts import events as ev
from contracts.samples import sample_key, sample_person
from services.reporting.bootstrap import County
from services.reporting.domain.counters import CountingView
from services.reporting.domain.report import build_report
from services.reporting.domain.snapshot import take
from services.reporting.facts import fact_of

COUNTY = County("130826", "丰", "丰宁满族自治县", {})
T0 = datetime(2022, 7, 12, 2, 0, tzinfo=UTC)  # 10:00 in Asia/Shanghai
IDS = {"task_id": "task-1", "case_id": "case-1", "person_key": sample_key(1)}


def _ladder() -> list[ev.Event]:
    due = T0 + timedelta(hours=2)
    events: list[ev.Event] = [ev.TaskAssigned.model_validate({
        **IDS, "person": sample_person(1).model_dump(), "current": {"county_code": "130826"},
        "grid_id": "g1", "category": "high_risk_area", "risk_level": "high",
        "measure": "centralized_quarantine", "due_at": due, "assigned_at": T0,
        "sources": [{"feed": "bigdata", "source_record_id": "s1", "record_id": "r1",
                     "received_at": T0}]})]
    for before, after in (("grid", "township"), ("township", "county")):
        detected = due + timedelta(minutes=1)
        events.append(ev.TaskOverdue.model_validate({**IDS, "due_at": due, "tier": before,
                                                     "detected_at": detected}))
        due = detected + timedelta(hours=2)
        events.append(ev.TaskEscalated.model_validate({
            **IDS, "from_tier": before, "to_tier": after, "reason": "overdue",
            "escalated_at": detected, "due_at": due}))
    events.append(ev.TaskOverdue.model_validate({**IDS, "due_at": due, "tier": "county",
                                                 "detected_at": due + timedelta(minutes=1)}))
    return events


def test_a_task_escalated_twice_in_a_day_counts_once_and_is_overdue_at_the_county() -> None:
    view = CountingView()
    for n, event in enumerate(_ladder()):
        fact = fact_of(event)
        assert fact is not None
        view.apply(f"e{n}", fact)
    for snap in (view.snapshot(), take(view)):
        report = build_report(snap, T0.date(), T0.date(), COUNTY)
        assert report["tasks"] == {"overdue_now": 1, "went_overdue_today": 1,
                                   "escalated_today": 1}
