"""Counters kept up to date as facts arrive: after each merge only the entities it touched (a
record, a case with its records and tests, a task, a test) have their contribution taken out
and put back, so a report never needs a pass over the whole view. Equal to ``snapshot.take``
by construction (the same contribution functions); a unit test checks it under reordering."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date

from services.reporting.domain.snapshot import (
    PersonKey,
    RecordKey,
    Snapshot,
    TestKey,
    contributions_of_test,
    person_contribution,
    record_contribution,
)
from services.reporting.domain.view import Fact, View


class CountingView(View):
    def __init__(self) -> None:
        super().__init__()
        self.records_by_key: Counter[RecordKey] = Counter()
        self.hours: Counter[tuple[date, int]] = Counter()
        self.persons: Counter[PersonKey] = Counter()
        self.test_counts: Counter[TestKey] = Counter()
        self.overdue_tasks: set[str] = set()
        self._record_part: dict[str, tuple[RecordKey, tuple[date, int]]] = {}
        self._person_part: dict[str, PersonKey] = {}
        self._test_part: dict[str, list[tuple[TestKey, int]]] = {}

    def apply(self, event_id: str, fact: Fact) -> bool:
        if not super().apply(event_id, fact):
            return False
        self._recount()
        return True

    def apply_many(self, facts: Iterable[tuple[str, Fact]]) -> list[bool]:
        """Merge a batch, then recount each touched entity once (a consumer batch, or every
        stored fact at start: then this is one pass, like ``snapshot.take``)."""
        applied = [View.apply(self, event_id, fact) for event_id, fact in facts]
        self._recount()
        return applied

    def _recount(self) -> None:
        for case_id in self.dirty_cases:
            case = self.cases.get(case_id)
            if case is not None:
                self.dirty_records.update(k for k in case.sources
                                          if self.record_case.get(k) == case_id)
            self.dirty_tests.update(self.case_tests.get(case_id, ()))
            old = self._person_part.pop(case_id, None)
            if old is not None:
                self.persons[old] -= 1
            new = person_contribution(self, case_id)
            if new is not None:
                self.persons[new] += 1
                self._person_part[case_id] = new
        for key in self.dirty_records:
            old_record = self._record_part.pop(key, None)
            if old_record is not None:
                self.records_by_key[old_record[0]] -= 1
                self.hours[old_record[1]] -= 1
            new_record = record_contribution(self, key)
            if new_record is not None:
                self.records_by_key[new_record[0]] += 1
                self.hours[new_record[1]] += 1
                self._record_part[key] = new_record
        for test_id in self.dirty_tests:
            for test_key, n in self._test_part.pop(test_id, []):
                self.test_counts[test_key] -= n
            parts = contributions_of_test(self, test_id)
            for test_key, n in parts:
                self.test_counts[test_key] += n
            self._test_part[test_id] = parts
        for task_id in self.dirty_tasks:
            if self.tasks[task_id].overdue:
                self.overdue_tasks.add(task_id)
            else:
                self.overdue_tasks.discard(task_id)
        self.dirty_cases.clear()
        self.dirty_records.clear()
        self.dirty_tests.clear()
        self.dirty_tasks.clear()

    def snapshot(self) -> Snapshot:
        """A copy of the live counters (zeros dropped): cost grows with the number of distinct
        keys (days x feeds x townships x statuses ...), not with the number of records."""
        def live(counter: Counter) -> Counter:  # type: ignore[type-arg]
            return Counter({k: v for k, v in counter.items() if v})

        marks = Counter({key: len(ids) for key, ids in self.marks.items()})
        return Snapshot(live(self.records_by_key), live(self.hours), live(self.persons),
                        live(self.test_counts), marks, len(self.overdue_tasks), self.version)
