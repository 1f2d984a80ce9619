"""The in-memory view: what reporting knows about each record, case, task and test, merged from
facts (small dicts extracted from events, see ``services.reporting.facts``).

Every merge is commutative and idempotent (set union, "latest by (time, event id)", "any"), so
the view is a function of the *set* of facts: arrival order across topics, redelivery and
replays change nothing. Counters are derived from the view (``snapshot``), never kept apart.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from services.reporting.domain.days import local_day
from services.reporting.domain.labels import CLOSING_OUTCOMES

Fact = dict[str, Any]
Stamp = tuple[datetime, str]  # (event time, event id): a total order for "latest wins"


def _t(value: str) -> datetime:
    return datetime.fromisoformat(value)


@dataclass(slots=True)
class RecordFact:
    feed: str
    received_at: datetime
    day: date
    township: str | None
    record_id: str


@dataclass(slots=True)
class CaseFact:
    stamp: tuple[datetime, int, str] | None = None  # (classified_at, event rank, event id)
    category: str = "none"
    risk_level: str = "none"
    measure: str = "none"
    township: str | None = None
    # record key -> (received_at, feed): every record triage put behind the case
    sources: dict[str, tuple[datetime, str]] = field(default_factory=dict)
    resolution: str | None = None


@dataclass(slots=True)
class TaskFact:
    case_id: str = ""
    closed: tuple[Stamp, str, str] | None = None  # (stamp, outcome, measure applied)
    outcome: tuple[Stamp, str, str | None] | None = None  # latest (stamp, outcome, measure)
    due: tuple[Stamp, datetime] | None = None  # latest deadline set
    overdue_due: datetime | None = None  # latest deadline reported missed

    @property
    def verified(self) -> bool:
        return self.closed is not None or (
            self.outcome is not None and self.outcome[1] in CLOSING_OUTCOMES)

    @property
    def overdue(self) -> bool:
        """Past its verification deadline and not verified (a later deadline clears it)."""
        if self.verified or self.overdue_due is None:
            return False
        return self.due is None or self.overdue_due >= self.due[1]


@dataclass(slots=True)
class TestFact:
    case_id: str = ""
    test_date: date | None = None
    results: dict[str, tuple[datetime, str]] = field(default_factory=dict)  # eid -> (at, result)
    overdue: bool = False
    positive_alert: bool = False

    @property
    def positive(self) -> bool:
        return self.positive_alert or any(r == "positive" for _, r in self.results.values())

    @property
    def done(self) -> bool:
        return any(r in ("negative", "positive") for _, r in self.results.values())

    @property
    def missed(self) -> bool:
        if self.done:
            return False
        return self.overdue or any(r == "not_tested" for _, r in self.results.values())


def _later(old: Any, new: Any) -> bool:
    return old is None or new > old


class View:
    """All facts, indexed for the snapshot. ``version`` changes whenever a fact changed it."""

    def __init__(self) -> None:
        self.records: dict[str, RecordFact] = {}
        self.record_case: dict[str, str] = {}
        self.cases: dict[str, CaseFact] = {}
        self.tasks: dict[str, TaskFact] = {}
        self.tests: dict[str, TestFact] = {}
        self.case_tasks: dict[str, set[str]] = defaultdict(set)
        self.case_tests: dict[str, set[str]] = defaultdict(set)
        # (kind, day, label) -> ids: event-like figures (rejections, overdue, escalations, ...)
        self.marks: dict[tuple[str, date, str], set[str]] = defaultdict(set)
        self.seen: set[str] = set()
        self.version = 0
        # What the last merges touched, for incremental counters (``counters.CountingView``).
        self.dirty_records: set[str] = set()
        self.dirty_cases: set[str] = set()
        self.dirty_tasks: set[str] = set()
        self.dirty_tests: set[str] = set()
        self._merge = {"record": self._record, "rejected": self._rejected, "area": self._area,
                       "resolved": self._resolved, "case": self._case, "task": self._task,
                       "test": self._test}

    def apply(self, event_id: str, fact: Fact) -> bool:
        """Merge one fact; False when this event id was already applied."""
        if event_id in self.seen:
            return False
        self.seen.add(event_id)
        self._merge[fact["k"]](event_id, fact)
        self.version += 1
        return True

    def _mark(self, kind: str, at: str, label: str, ident: str) -> None:
        self.marks[(kind, local_day(_t(at)), label)].add(ident)

    def _record(self, _: str, f: Fact) -> None:
        at = _t(f["at"])
        old = self.records.get(f["rec"])
        if old is None or at < old.received_at:  # intake's first acceptance is the one counted
            self.records[f["rec"]] = RecordFact(f["feed"], at, local_day(at), f.get("tw"),
                                                 f.get("rid") or f["rec"])
            self.dirty_records.add(f["rec"])
            if f["rec"] in self.record_case:  # a case's first record may have changed day
                self.dirty_cases.add(self.record_case[f["rec"]])

    def _rejected(self, eid: str, f: Fact) -> None:
        self._mark("rejected", f["at"], f"{f['feed']}|{f['reason']}", f.get("id") or eid)

    def _area(self, eid: str, f: Fact) -> None:
        self._mark("designated", f["at"], f["level"], eid)

    def _resolved(self, _: str, f: Fact) -> None:
        self.cases.setdefault(f["case"], CaseFact()).resolution = f["resolution"]
        self.dirty_cases.add(f["case"])
        self._mark("resolved", f["at"], f["resolution"], f["case"])

    def _case(self, eid: str, f: Fact) -> None:
        case_id = f["case"]
        case = self.cases.setdefault(case_id, CaseFact())
        self.dirty_cases.add(case_id)
        stamp = (_t(f["at"]), int(f["rank"]), eid)
        if _later(case.stamp, stamp):
            case.stamp = stamp
            case.category, case.risk_level, case.measure = f["cat"], f["lvl"], f["msr"]
            case.township = f.get("tw")
        self._sources(case_id, case, f.get("src") or ())

    def _sources(self, case_id: str, case: CaseFact, sources: Any) -> None:
        for source in sources:
            key = source["rec"]
            case.sources.setdefault(key, (_t(source["at"]), source["feed"]))
            linked = self.record_case.get(key)
            if linked is None or case_id < linked:  # one case per record, whatever the order
                self.record_case[key] = case_id
                self.dirty_records.add(key)

    def _task(self, eid: str, f: Fact) -> None:
        task = self.tasks.setdefault(f["task"], TaskFact())
        task.case_id = f["case"]
        self.case_tasks[f["case"]].add(f["task"])
        self.dirty_cases.add(f["case"])
        self.dirty_tasks.add(f["task"])
        stamp: Stamp = (_t(f["at"]), eid)
        ev = f["ev"]
        if f.get("due") and ev in ("assigned", "revised", "requeued", "escalated"):
            if task.due is None or stamp > task.due[0]:
                task.due = (stamp, _t(f["due"]))
        if f.get("src"):
            self._sources(f["case"], self.cases.setdefault(f["case"], CaseFact()), f["src"])
        if ev == "outcome":
            if task.outcome is None or stamp > task.outcome[0]:
                task.outcome = (stamp, f["outcome"], f.get("measure"))
        elif ev == "closed":
            if task.closed is None or stamp > task.closed[0]:
                task.closed = (stamp, f["outcome"], f.get("measure") or "none")
        elif ev == "overdue":
            due = _t(f["due"])
            if task.overdue_due is None or due > task.overdue_due:
                task.overdue_due = due
            self._mark("overdue", f["at"], "", f["task"])
        elif ev == "escalated":
            self._mark("escalated", f["at"], "", f["task"])  # distinct tasks a day, any tier

    def _test(self, eid: str, f: Fact) -> None:
        test = self.tests.setdefault(f["test"], TestFact())
        test.case_id = f["case"]
        self.case_tests[f["case"]].add(f["test"])
        self.dirty_tests.add(f["test"])
        ev = f["ev"]
        if f.get("date"):
            when = date.fromisoformat(f["date"])
            test.test_date = when if test.test_date is None else min(test.test_date, when)
        if ev == "result":
            test.results[eid] = (_t(f["at"]), f["result"])
        elif ev == "overdue":
            test.overdue = True
        elif ev == "positive":
            test.positive_alert = True
            self._mark("positive", f["at"], "", f["test"])
