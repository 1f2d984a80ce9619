"""Counters derived from the view: records by (day, feed, township, status), records by hour,
persons (cases) by their first record's day, tests by test day, the event-like marks, and the
tasks overdue now. ``contribution`` functions say what one entity adds; ``take`` sums them over
the whole view in one pass (the reference), ``counters.CountingView`` keeps the same sums up to
date entity by entity as facts arrive."""

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


def record_contribution(view: View, key: str) -> tuple[RecordKey, tuple[date, int]] | None:
    rec = view.records.get(key)
    if rec is None:
        return None
    status = case_status(view, view.record_case.get(key))
    return ((rec.day, rec.feed, rec.township or UNKNOWN_TOWNSHIP, status),
            (rec.day, local_hour(rec.received_at)))


def person_contribution(view: View, case_id: str) -> PersonKey | None:
    case = view.cases.get(case_id)
    if case is None or not case.sources:
        return None  # known only from a task or resolution so far: no record, no day
    if len(case.sources) == 1:
        first_key, (first_at, feed) = next(iter(case.sources.items()))
    else:
        first_at, first_key = min((at, key) for key, (at, _) in case.sources.items())
        feed = case.sources[first_key][1]
    record = view.records.get(first_key)
    day = record.day if record is not None else local_day(first_at)
    group = INBOUND if case.category == INBOUND else feed
    return (day, group, case.risk_level, case.category,
            applied_measure(view, case_id, case.measure),
            case_status(view, case_id) == VERIFIED)


def contributions_of_test(view: View, test_id: str) -> list[tuple[TestKey, int]]:
    test = view.tests.get(test_id)
    if test is None or test.test_date is None:
        return []
    case = view.cases.get(test.case_id)
    scopes = ("all", "low") if case is not None and case.category == LOW_RISK_AREA else ("all",)
    values = {"due": 1, "done": int(test.done), "positive": int(test.positive),
              "missed": int(test.missed)}
    return [((test.test_date, scope, what), n) for scope in scopes
            for what, n in values.items() if n]


def take(view: View) -> Snapshot:
    """Every counter from scratch, in one pass over the view."""
    records: Counter[RecordKey] = Counter()
    hours: Counter[tuple[date, int]] = Counter()
    for key in view.records:
        found = record_contribution(view, key)
        if found is not None:
            records[found[0]] += 1
            hours[found[1]] += 1
    persons: Counter[PersonKey] = Counter()
    for case_id in view.cases:
        person = person_contribution(view, case_id)
        if person is not None:
            persons[person] += 1
    tests: Counter[TestKey] = Counter()
    for test_id in view.tests:
        for test_key, n in contributions_of_test(view, test_id):
            tests[test_key] += n
    marks = Counter({key: len(ids) for key, ids in view.marks.items()})
    overdue = sum(1 for task in view.tasks.values() if task.overdue)
    return Snapshot(records, hours, persons, tests, marks, overdue, view.version)
