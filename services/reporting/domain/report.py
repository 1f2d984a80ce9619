"""The daily report: every figure of one Asia/Shanghai day and cumulative since the campaign
start, built from a snapshot. Plain dicts and ints, ready for JSON, CSV, XLSX and HTML."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from services.reporting.domain.briefing import BriefingFigures, briefing
from services.reporting.domain.labels import (
    FEED_NAMES,
    FEEDS,
    INBOUND,
    LEVELS,
    MEASURES,
    PENDING,
    STATUSES,
    SYSTEM_FAULT,
    UNKNOWN_TOWNSHIP,
    UNREACHABLE,
    VERIFIED,
)
from services.reporting.domain.snapshot import Snapshot


@dataclass(frozen=True)
class County:
    code: str
    short_name: str
    name: str
    townships: Mapping[str, str]  # code -> name


def _status(counts: Counter[str]) -> dict[str, int]:
    out = {"pushed": sum(counts.values())}
    out.update({s: counts[s] for s in STATUSES})
    return out


def _within(day: date, start: date, end: date) -> bool:
    return start <= day <= end


def build_report(snap: Snapshot, day: date, start: date, county: County) -> dict[str, Any]:
    first = min(start, day)
    today_status: Counter[str] = Counter()
    cum_status: Counter[str] = Counter()
    feeds: dict[str, tuple[Counter[str], Counter[str]]] = {f: (Counter(), Counter())
                                                          for f in FEEDS}
    towns: dict[str, tuple[Counter[str], Counter[str]]] = {}
    for (d, feed, town, status), n in snap.records.items():
        if not _within(d, first, day):
            continue
        per_feed = feeds.setdefault(feed, (Counter(), Counter()))
        per_town = towns.setdefault(town, (Counter(), Counter()))
        cum_status[status] += n
        per_feed[1][status] += n
        per_town[1][status] += n
        if d == day:
            today_status[status] += n
            per_feed[0][status] += n
            per_town[0][status] += n
    persons_today = _persons(snap, first, day, only=day)
    persons_cum = _persons(snap, first, day, only=None)
    tests_today = {w: snap.tests[(day, "all", w)] for w in ("due", "done", "positive", "missed")}
    tests_cum = _tests(snap, first, day, "all")
    low_tests = _tests(snap, first, day, "low")
    rejected_today: Counter[str] = Counter()
    rejected_cum: Counter[str] = Counter()
    rejected_feed_today: Counter[str] = Counter()
    for (kind, d, label), n in snap.marks.items():
        if kind == "rejected" and _within(d, first, day):
            feed, reason = label.split("|", 1)
            rejected_cum[reason] += n
            if d == day:
                rejected_today[reason] += n
                rejected_feed_today[feed] += n
    marks_today = {kind: sum(n for (k, d, _), n in snap.marks.items() if k == kind and d == day)
                   for kind in ("overdue", "escalated", "positive", "resolved", "designated")}
    town_names = dict(county.townships)
    town_names.setdefault(UNKNOWN_TOWNSHIP, "未知乡镇")
    figures = BriefingFigures(
        since=start,
        short_name=county.short_name,
        persons=persons_cum["total"],
        by_group=persons_cum["by_group"],
        measures=persons_cum["measures_applied"],
        persons_open=persons_cum["open"],
        persons_today=persons_today["total"],
        levels_today=persons_today["by_risk_level"],
        selfreport=(feeds["selfreport"][1].total(), feeds["selfreport"][1][VERIFIED]),
        bigdata=(feeds["bigdata"][1].total(), feeds["bigdata"][1][VERIFIED]),
        low_risk_persons=persons_cum["by_category"].get("low_risk_area", 0),
        low_risk_positive=low_tests["positive"],
        low_risk_missed=low_tests["missed"],
        today=_status(today_status),
    )
    return {
        "date": day.isoformat(),
        "campaign_start": start.isoformat(),
        "county": {"code": county.code, "name": county.name, "short_name": county.short_name},
        "today": _status(today_status),
        "cumulative": _status(cum_status),
        "feeds": [{"feed": f, "name": FEED_NAMES.get(f, f), "today": _status(t),
                   "cumulative": _status(c)} for f, (t, c) in feeds.items()],
        "townships": [{"code": code, "name": town_names.get(code, code), "today": _status(t),
                       "cumulative": _status(c)}
                      for code, (t, c) in sorted(towns.items(), key=_town_order)],
        "persons": {"today": persons_today, "cumulative": persons_cum},
        "tasks": {"overdue_now": snap.overdue_now, "went_overdue_today": marks_today["overdue"],
                  "escalated_today": marks_today["escalated"]},
        "tests": {"today": tests_today, "cumulative": tests_cum, "low_risk_cumulative": low_tests,
                  "positive_alerts_today": marks_today["positive"]},
        "rejected": {"today": {"total": rejected_today.total(), "by_reason": dict(rejected_today),
                               "by_feed": dict(rejected_feed_today)},
                     "cumulative": {"total": rejected_cum.total(),
                                    "by_reason": dict(rejected_cum)}},
        "resolved_today": marks_today["resolved"],
        "designations_today": marks_today["designated"],
        "hourly": [snap.hours[(day, h)] for h in range(24)],
        "briefing": briefing(figures),
    }


def _town_order(item: tuple[str, Any]) -> tuple[bool, str]:
    return (item[0] == UNKNOWN_TOWNSHIP, item[0])


def _persons(snap: Snapshot, first: date, day: date, *, only: date | None) -> dict[str, Any]:
    groups: Counter[str] = Counter({f: 0 for f in (*FEEDS, INBOUND)})
    levels: Counter[str] = Counter({lv: 0 for lv in LEVELS})
    categories: Counter[str] = Counter()
    measures: Counter[str] = Counter({m: 0 for m in MEASURES})
    verified = 0
    total = 0
    for (d, group, level, category, measure, is_verified), n in snap.persons.items():
        if not _within(d, first, day) or (only is not None and d != only):
            continue
        total += n
        groups[group] += n
        levels[level] += n
        categories[category] += n
        if measure:
            measures[measure] += n
        verified += n if is_verified else 0
    return {"total": total, "by_group": dict(groups), "by_risk_level": dict(levels),
            "by_category": dict(categories), "measures_applied": dict(measures),
            "verified": verified, "open": total - verified}


def _tests(snap: Snapshot, first: date, day: date, scope: str) -> dict[str, int]:
    out = {w: 0 for w in ("due", "done", "positive", "missed")}
    for (d, s, what), n in snap.tests.items():
        if s == scope and _within(d, first, day):
            out[what] += n
    return out


# Re-exported for callers that reason about carried-over records.
CARRIED_REASONS = (SYSTEM_FAULT, UNREACHABLE, PENDING)
