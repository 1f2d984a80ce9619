"""A generated screening scenario: real contract events for a few days of records, cases, tasks
and tests, and the ground truth of every figure computed straight from the plan (not through
reporting's view), so a test can compare the two after any delivery order."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from contracts import events as ev
from contracts.envelope import derived_event_id
from contracts.samples import sample_key, sample_person
from contracts.types import SHANGHAI

DAYS = (date(2022, 7, 10), date(2022, 7, 11), date(2022, 7, 12))
CAMPAIGN_START = date(2022, 7, 1)
TOWNSHIPS = ("130826100", "130826101", "130826102", None)
# category, risk level, measure (default policy)
CLASSES = [
    ("close_contact", "none", "centralized_quarantine"),
    ("secondary_close_contact", "low", "home_quarantine"),
    ("high_risk_area", "high", "centralized_quarantine"),
    ("medium_risk_area", "medium", "home_quarantine"),
    ("low_risk_area", "low", "health_monitoring"),
    ("low_risk_area", "low", "health_monitoring"),
    ("none", "none", "none"),
]
PLANS = ["none", "system_fault", "unreachable", "measure", "no_risk", "fault_then_measure",
         "unreachable_twice", "not_in_area", "measure"]
REASONS = ["invalid_id_number", "missing_field", "invalid_mobile", "not_json"]
_DETAILS = {
    "bigdata": {"feed": "bigdata", "signal": "electronic_fence"},
    "assist": {"feed": "assist", "request_id": "req", "requesting_province": "测试省",
               "reply_by": "2022-07-30T00:00:00+08:00"},
    "selfreport": {"feed": "selfreport", "channel": "mini_program"},
    "screening": {"feed": "screening", "screened_by": "测试卡口"},
    "contacts": {"feed": "contacts", "case_ref": "c-1", "last_contact_at":
                 "2022-07-01T00:00:00+08:00", "contact_kind": "household"},
}


def _id(*parts: object) -> str:
    return derived_event_id("scenario", *parts)


@dataclass
class Truth:
    records: Counter[tuple[date, str, str, str]] = field(default_factory=Counter)
    persons: list[dict[str, Any]] = field(default_factory=list)
    tests: Counter[tuple[date, str, str]] = field(default_factory=Counter)
    rejected: Counter[tuple[date, str]] = field(default_factory=Counter)
    overdue_now: int = 0
    went_overdue: Counter[date] = field(default_factory=Counter)
    escalated: Counter[date] = field(default_factory=Counter)

    def status_counts(self, day: date, *, cumulative: bool, feed: str | None = None,
                      township: str | None = None) -> dict[str, int]:
        c: Counter[str] = Counter()
        for (d, f, t, s), n in self.records.items():
            if (d == day or (cumulative and CAMPAIGN_START <= d <= day)) and \
                    feed in (None, f) and township in (None, t):
                c[s] += n
        return {"pushed": c.total(), "verified": c["verified"], "system_fault": c["system_fault"],
                "unreachable": c["unreachable"], "pending": c["pending"]}

    def persons_of(self, day: date, *, cumulative: bool) -> list[dict[str, Any]]:
        return [p for p in self.persons
                if p["day"] == day or (cumulative and CAMPAIGN_START <= p["day"] <= day)]


@dataclass
class Scenario:
    events: list[tuple[str, ev.Event]]  # (event id, event)
    truth: Truth


def _at(rng: random.Random, day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=SHANGHAI) + timedelta(
        seconds=rng.randrange(0, 20 * 3600))


def generate(seed: int = 1, persons: int = 60, rejections: int = 12) -> Scenario:
    rng = random.Random(seed)
    out: list[tuple[str, ev.Event]] = []
    truth = Truth()
    for n in range(persons):
        _person(rng, n, out, truth)
    for n in range(rejections):
        day = rng.choice(DAYS)
        reason = rng.choice(REASONS)
        rid = _id("rej", seed, n)
        out.append((rid, ev.InputRejected(
            rejection_id=rid, feed=rng.choice(list(_DETAILS)), channel=ev.IntakeChannel.HTTP,
            reason=ev.RejectReason(reason), message="bad", payload="{}",
            received_at=_at(rng, day))))
        truth.rejected[(day, reason)] += 1
    return Scenario(out, truth)


def _person(rng: random.Random, n: int, out: list[tuple[str, ev.Event]], truth: Truth) -> None:
    key, case_id, task_id = sample_key(n + 1), f"case-{n}", f"task-{n}"
    first_day = rng.choice(DAYS)
    first_at = _at(rng, first_day)
    feeds = [rng.choice(list(_DETAILS))]
    times = [first_at]
    if rng.random() < 0.3:
        feeds.append(rng.choice(list(_DETAILS)))
        times.append(first_at + timedelta(hours=rng.randrange(1, 30)))
    township = rng.choice(TOWNSHIPS)
    sources = []
    for i, (feed, at) in enumerate(zip(feeds, times, strict=True)):
        srid = f"src-{n}-{i}"
        rid = derived_event_id("intake.record", feed, srid)
        sources.append(ev.SourceRef(feed=ev.Feed(feed), source_record_id=srid, record_id=rid,
                                    received_at=at))
        out.append((rid, ev.RecordReceived.model_validate({
            "record_id": rid, "feed": feed, "source_record_id": srid, "received_at": at,
            "person_key": key, "person": sample_person(n + 1).model_dump(),
            "current": {"county_code": "130826", "township_code": township},
            "exposure": "none", "details": _DETAILS[feed]})))
    category, level, measure = rng.choice(CLASSES)
    state = dict(case_id=case_id, person_key=key, measure_days=7, test_days=[1, 3],
                 verification_due_at=first_at + timedelta(hours=2), policy_version="p1",
                 current={"county_code": "130826", "township_code": township}, reason="test")
    at = first_at + timedelta(minutes=1)
    out.append((_id("open", n), ev.CaseOpened.model_validate(
        {**state, "category": category, "risk_level": level, "measure": measure,
         "sources": [sources[0]], "classified_at": at})))
    if len(sources) > 1:
        out.append((_id("merge", n), ev.CaseMerged.model_validate(
            {**state, "category": category, "risk_level": level, "measure": measure,
             "sources": sources, "merged": sources[1], "classified_at": times[1]})))
    if rng.random() < 0.2 and category != "high_risk_area":
        category, level, measure = "high_risk_area", "high", "centralized_quarantine"
        out.append((_id("reclass", n), ev.CaseReclassified.model_validate(
            {**state, "category": category, "risk_level": level, "measure": measure,
             "sources": sources, "classified_at": times[-1] + timedelta(minutes=5),
             "previous_category": "none", "previous_risk_level": "none",
             "previous_measure": "none"})))
    status, applied = _task(rng, n, task_id, case_id, key, first_at, sources, category, level,
                            measure, out, truth)
    for feed, at, src in zip(feeds, times, sources, strict=True):
        truth.records[(at.date(), feed, township or "unknown", status)] += 1
        del src
    truth.persons.append({"day": first_day, "group": feeds[0], "level": level,
                          "category": category, "measure": applied,
                          "verified": status == "verified"})
    if category == "low_risk_area" and applied:
        _tests(rng, n, case_id, key, first_day, out, truth)


def _task(rng: random.Random, n: int, task_id: str, case_id: str, key: str, first_at: datetime,
          sources: list[ev.SourceRef], category: str, level: str, measure: str,
          out: list[tuple[str, ev.Event]], truth: Truth) -> tuple[str, str]:
    if rng.random() < 0.1:
        return "pending", ""
    ids = dict(task_id=task_id, case_id=case_id, person_key=key)
    at = first_at + timedelta(minutes=2)
    due = at + timedelta(hours=2)
    out.append((_id("assign", n), ev.TaskAssigned.model_validate({
        **ids, "person": sample_person(n + 1).model_dump(),
        "current": {"county_code": "130826"}, "grid_id": "g1", "category": category,
        "risk_level": level, "measure": measure, "due_at": due, "assigned_at": at,
        "sources": sources[:1]})))
    plan = rng.choice(PLANS)
    if measure == "none" and "measure" in plan:
        plan = "no_risk"
    steps = {"none": [], "system_fault": ["system_fault"], "unreachable": ["unreachable"],
             "measure": ["verified_measure_applied"], "no_risk": ["verified_no_risk"],
             "fault_then_measure": ["system_fault", "verified_measure_applied"],
             "unreachable_twice": ["unreachable", "unreachable"],
             "not_in_area": ["not_in_area"]}[plan]
    status = "pending"
    for i, outcome in enumerate(steps):
        at += timedelta(minutes=30)
        out.append((_id("outcome", n, i), ev.TaskOutcomeRecorded.model_validate({
            **ids, "outcome": outcome, "recorded_at": at, "recorded_by": "w1",
            "measure_applied": measure if outcome == "verified_measure_applied" else None})))
        if outcome in ("system_fault", "unreachable"):
            status = outcome
            due = at + timedelta(hours=1)
            out.append((_id("requeue", n, i), ev.TaskRequeued.model_validate({
                **ids, "attempt": i + 2, "reason": outcome, "requeued_at": at, "due_at": due,
                "tier": "grid"})))
        else:
            status = "verified"
            out.append((_id("closed", n), ev.TaskClosed.model_validate({
                **ids, "outcome": outcome, "closed_at": at + timedelta(seconds=1),
                "measure_applied": measure if outcome == "verified_measure_applied"
                else "none"})))
    if status != "verified" and rng.random() < 0.5:
        detected = due + timedelta(minutes=1)
        out.append((_id("overdue", n), ev.TaskOverdue.model_validate({
            **ids, "due_at": due, "detected_at": detected, "tier": "grid"})))
        out.append((_id("escalate", n), ev.TaskEscalated.model_validate({
            **ids, "from_tier": "grid", "to_tier": "township", "reason": "overdue",
            "escalated_at": detected})))
        truth.overdue_now += 1
        truth.went_overdue[detected.date()] += 1
        truth.escalated[detected.date()] += 1
    applied = measure if "measure" in plan and measure != "none" else ""
    return status, applied


def _tests(rng: random.Random, n: int, case_id: str, key: str, first_day: date,
           out: list[tuple[str, ev.Event]], truth: Truth) -> None:
    for day_no in (1, 3):
        test_id = f"test-{n}-{day_no}"
        test_date = first_day + timedelta(days=day_no - 1)
        ids = dict(test_task_id=test_id, case_id=case_id, person_key=key)
        noon = datetime(test_date.year, test_date.month, test_date.day, 12, tzinfo=SHANGHAI)
        out.append((_id("sched", test_id), ev.TestTaskScheduled.model_validate({
            **ids, "day": day_no, "test_date": test_date, "result_due_at": noon,
            "current": {"county_code": "130826"}, "scheduled_at": noon - timedelta(hours=3)})))
        fate = rng.choice(["negative", "negative", "negative", "positive", "missed", "open"])
        for scope in ("all", "low"):
            truth.tests[(test_date, scope, "due")] += 1
            truth.tests[(test_date, scope, "done")] += fate in ("negative", "positive")
            truth.tests[(test_date, scope, "positive")] += fate == "positive"
            truth.tests[(test_date, scope, "missed")] += fate == "missed"
        if fate in ("negative", "positive"):
            out.append((_id("result", test_id), ev.TestResultRecorded.model_validate({
                **ids, "result": fate, "recorded_at": noon})))
        if fate == "positive":
            out.append((_id("alert", test_id), ev.PositiveTestAlerted.model_validate({
                **ids, "day": day_no, "current": {"county_code": "130826"},
                "alerted_at": noon})))
        if fate == "missed":
            out.append((_id("tover", test_id), ev.TestTaskOverdue.model_validate({
                **ids, "day": day_no, "result_due_at": noon, "detected_at": noon,
                "current": {"county_code": "130826"}})))


def expected_report(truth: Truth, day: date) -> dict[str, Any]:
    """The figures of ``build_report`` a test compares, from the ground truth alone."""
    def persons(cumulative: bool) -> dict[str, Any]:
        ps = truth.persons_of(day, cumulative=cumulative)
        groups = Counter({f: 0 for f in (*_DETAILS, "inbound")})
        levels = Counter({lv: 0 for lv in ("high", "medium", "low", "none")})
        measures = Counter({m: 0 for m in ("centralized_quarantine", "home_quarantine",
                                           "health_monitoring")})
        for p in ps:
            groups[p["group"]] += 1
            levels[p["level"]] += 1
            if p["measure"]:
                measures[p["measure"]] += 1
        verified = sum(p["verified"] for p in ps)
        return {"total": len(ps), "by_group": dict(groups), "by_risk_level": dict(levels),
                "by_category": dict(Counter(p["category"] for p in ps)),
                "measures_applied": dict(measures), "verified": verified,
                "open": len(ps) - verified}

    def tests(scope: str) -> dict[str, int]:
        return {w: sum(v for (d, s, ww), v in truth.tests.items()
                       if s == scope and ww == w and CAMPAIGN_START <= d <= day)
                for w in ("due", "done", "positive", "missed")}

    rej_today = Counter({r: n for (d, r), n in truth.rejected.items() if d == day})
    rej_cum: Counter[str] = Counter()
    for (d, r), n in truth.rejected.items():
        if CAMPAIGN_START <= d <= day:
            rej_cum[r] += n
    towns = sorted({t for (_, _, t, _) in truth.records},
                   key=lambda t: (t == "unknown", t))
    return {
        "today": truth.status_counts(day, cumulative=False),
        "cumulative": truth.status_counts(day, cumulative=True),
        "feeds": {f: (truth.status_counts(day, cumulative=False, feed=f),
                      truth.status_counts(day, cumulative=True, feed=f)) for f in _DETAILS},
        "townships": {t: (truth.status_counts(day, cumulative=False, township=t),
                          truth.status_counts(day, cumulative=True, township=t))
                      for t in towns},
        "persons": {"today": persons(False), "cumulative": persons(True)},
        "tests": {"today": {w: truth.tests[(day, "all", w)]
                            for w in ("due", "done", "positive", "missed")},
                  "cumulative": tests("all"), "low_risk_cumulative": tests("low")},
        "rejected": {"today": dict(rej_today), "cumulative": dict(rej_cum)},
        "tasks": {"overdue_now": truth.overdue_now, "went_overdue_today": truth.went_overdue[day],
                  "escalated_today": truth.escalated[day]},
    }


def actual_figures(report: dict[str, Any]) -> dict[str, Any]:
    """The same shape as ``expected_report``, read from a report (JSON or dict)."""
    return {
        "today": report["today"], "cumulative": report["cumulative"],
        "feeds": {f["feed"]: (f["today"], f["cumulative"]) for f in report["feeds"]},
        "townships": {t["code"]: (t["today"], t["cumulative"]) for t in report["townships"]},
        "persons": report["persons"],
        "tests": {k: report["tests"][k] for k in ("today", "cumulative", "low_risk_cumulative")},
        "rejected": {"today": report["rejected"]["today"]["by_reason"],
                     "cumulative": report["rejected"]["cumulative"]["by_reason"]},
        "tasks": report["tasks"],
    }
