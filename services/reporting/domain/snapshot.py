"""Counters derived from the view in one pass: records by (day, feed, township, status), persons
(cases) by their first record's day, tests by test day, and the event-like marks. A snapshot is
immutable; the service caches it per view version, so a report costs one pass at most."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from services.reporting.domain.days import local_day, local_hour
from services.reporting.domain.labels import (
    INBOUND,
    LOW_RISK_AREA,
    MEASURE_APPLIED,
    MEASURES,
    OPEN_OUTCOMES,
    PENDING,
    UNKNOWN_TOWNSHIP,
    VERIFIED,
)
from services.reporting.domain.view import View

RecordKey = tuple[date, str, str, str]  # day, feed, township, status
# day, group (first feed or "inbound"), risk level, category, measure applied ("" = none),
# verified
PersonKey = tuple[date, str, str, str, str, bool]
TestKey = tuple[date, str, str]  # test day, scope ("all" / "low"), what (due/done/positive/missed)


@dataclass(frozen=True)
class Snapshot:
    records: Counter[RecordKey]
    hours: Counter[tuple[date, int]]
    persons: Counter[PersonKey]
    tests: Counter[TestKey]
    marks: Counter[tuple[str, date, str]]
    overdue_now: int
    version: int

    def figures(self) -> dict[str, int]:
        """Every counter as a flat ``name -> value`` map (zeros left out), for comparing views."""
        out: dict[str, int] = {}
        for prefix, counter in (("records", self.records), ("hours", self.hours),
                                ("persons", self.persons), ("tests", self.tests),
                                ("marks", self.marks)):
            for key, value in counter.items():
                if value:
                    out[prefix + "/" + "/".join(str(part) for part in key)] = value
        out["overdue_now"] = self.overdue_now
        return out


def case_status(view: View, case_id: str | None) -> str:
    """verified (a closing outcome) > latest of system fault / unreachable > pending."""
    if case_id is None:
        return PENDING
    latest = None
    for task_id in view.case_tasks.get(case_id, ()):
        task = view.tasks[task_id]
        if task.verified:
            return VERIFIED
        if task.outcome is not None and task.outcome[1] in OPEN_OUTCOMES and (
                latest is None or task.outcome[0] > latest[0]):
            latest = task.outcome
    return latest[1] if latest is not None else PENDING


def applied_measure(view: View, case_id: str, planned: str) -> str:
    """The measure a closing outcome applied to the person, or "" when none was."""
    found = ""
    for task_id in sorted(view.case_tasks.get(case_id, ())):
        task = view.tasks[task_id]
        if task.closed is not None and task.closed[1] == MEASURE_APPLIED:
            measure = task.closed[2] if task.closed[2] in MEASURES else planned
            return measure if measure in MEASURES else ""
        if task.outcome is not None and task.outcome[1] == MEASURE_APPLIED and not found:
            measure = task.outcome[2] or planned
            found = measure if measure in MEASURES else ""
    return found


def take(view: View) -> Snapshot:
    records: Counter[RecordKey] = Counter()
    hours: Counter[tuple[date, int]] = Counter()
    statuses: dict[str, str] = {}
    for key, rec in view.records.items():
        case_id = view.record_case.get(key)
        status = statuses.get(case_id or "")
        if status is None:
            status = case_status(view, case_id)
            if case_id is not None:
                statuses[case_id] = status
        records[(rec.day, rec.feed, rec.township or UNKNOWN_TOWNSHIP, status)] += 1
        hours[(rec.day, local_hour(rec.received_at))] += 1
    persons: Counter[PersonKey] = Counter()
    low_cases: set[str] = set()
    for case_id, case in view.cases.items():
        if not case.sources:
            continue  # known only from a resolution so far: no record, no day
        if len(case.sources) == 1:
            first_key, (first_at, feed) = next(iter(case.sources.items()))
        else:
            first_at, first_key = min((at, key) for key, (at, _) in case.sources.items())
            feed = case.sources[first_key][1]
        group = INBOUND if case.category == INBOUND else feed
        status = statuses.get(case_id) or case_status(view, case_id)
        record = view.records.get(first_key)
        day = record.day if record is not None else local_day(first_at)
        persons[(day, group, case.risk_level, case.category,
                 applied_measure(view, case_id, case.measure), status == VERIFIED)] += 1
        if case.category == LOW_RISK_AREA:
            low_cases.add(case_id)
    tests: Counter[TestKey] = Counter()
    for test in view.tests.values():
        if test.test_date is None:
            continue
        scopes = ("all", "low") if test.case_id in low_cases else ("all",)
        for scope in scopes:
            tests[(test.test_date, scope, "due")] += 1
            tests[(test.test_date, scope, "done")] += test.done
            tests[(test.test_date, scope, "positive")] += test.positive
            tests[(test.test_date, scope, "missed")] += test.missed
    marks = Counter({key: len(ids) for key, ids in view.marks.items()})
    overdue = sum(1 for task in view.tasks.values() if task.overdue)
    return Snapshot(records, hours, persons, tests, marks, overdue, view.version)
