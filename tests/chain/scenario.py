"""A deterministic county day for the whole-chain test, with its own ground truth.

People are planned here (feed, origin, exposure, where they live, what the worker finds, the
day-1 test result); their raw records come from the simulator's `RecordFactory` on a fixed seed
with the planned fields written over. The expected figures are computed from the plan alone,
with the rules of SPEC / docs (triage's classification, reporting's counting), never from what
the services answered.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from contracts.envelope import derived_event_id
from paicha.simulate.people import RecordFactory, id_number

SHANGHAI = ZoneInfo("Asia/Shanghai")
COUNTY = "130826"

# Designations made over triage's API before any record (effective for the last 30 days).
# A township-level high-risk area makes the rest of its county low risk (低风险区).
DESIGNATIONS = (
    ("110105001", "high", "北京市朝阳区建外街道"),
    ("310115", "medium", "上海市浦东新区"),
)
ORIGIN_NAMES = {"110105": "北京市朝阳区", "310115": "上海市浦东新区", "130102": "石家庄市长安区",
                "440305": "深圳市南山区"}

SEVERITY = {"close_contact": 4, "inbound": 4, "high_risk_area": 3, "secondary_close_contact": 2,
            "medium_risk_area": 2, "low_risk_area": 1, "none": 0}
MEASURE = {"close_contact": "centralized_quarantine", "inbound": "centralized_quarantine",
           "high_risk_area": "centralized_quarantine", "secondary_close_contact":
           "home_quarantine", "medium_risk_area": "home_quarantine",
           "low_risk_area": "health_monitoring", "none": None}
CLOSING = {"verified_measure_applied", "verified_no_risk", "not_in_area"}


def origin_level(code: str | None) -> str:
    if code is None:
        return "none"
    covering = [lv for area, lv, _ in DESIGNATIONS if code.startswith(area)]
    if covering:
        return max(covering, key=["low", "medium", "high"].index)
    if any(code[:6] == area[:6] for area, _, _ in DESIGNATIONS):
        return "low"  # the rest of a county holding a designated area
    return "none"


@dataclass
class Rec:
    """One raw record as a feed sends it, and where it goes."""

    feed: str
    person: str
    body: dict[str, Any]
    via: str = "http"  # or "file"

    @property
    def source_id(self) -> str:
        return str(self.body["source_record_id"])

    @property
    def record_id(self) -> str:
        return derived_event_id("intake.record", self.feed, self.source_id)

    @property
    def township(self) -> str:
        return str(self.body.get("current_township_code") or "unknown")

    def category(self) -> str:
        exposure = self.body.get("exposure", "none")
        if self.body.get("origin_country"):
            origin = "inbound"
        else:
            origin = {"high": "high_risk_area", "medium": "medium_risk_area",
                      "low": "low_risk_area", "none": "none"}[
                          origin_level(self.body.get("origin_area_code"))]
        exposure_cat = exposure if exposure != "none" else "none"
        # The more severe of exposure and origin; on a tie the exposure category stands.
        return origin if SEVERITY[origin] > SEVERITY[exposure_cat] else exposure_cat

    def level(self) -> str:
        return origin_level(self.body.get("origin_area_code"))


@dataclass
class Person:
    label: str
    id_number: str
    outcome: str | None  # what the worker reports, None: nobody reports (pending)
    test: str | None = None  # the day-1 test result recorded, when the measure is applied
    records: list[Rec] = field(default_factory=list)

    def category(self) -> str:
        # A case takes the first record's category and is raised by a more severe one.
        category = self.records[0].category()
        for rec in self.records[1:]:
            if SEVERITY[rec.category()] > SEVERITY[category]:
                category = rec.category()
        return category

    def level(self) -> str:
        # risk_level follows the classification that set the category.
        level = self.records[0].level()
        category = self.records[0].category()
        for rec in self.records[1:]:
            if SEVERITY[rec.category()] > SEVERITY[category]:
                category, level = rec.category(), rec.level()
        return level

    @property
    def group(self) -> str:
        return "inbound" if self.category() == "inbound" else self.records[0].feed

    @property
    def verified(self) -> bool:
        return self.outcome in CLOSING

    @property
    def status(self) -> str:
        if self.verified:
            return "verified"
        return self.outcome or "pending"

    @property
    def measure_applied(self) -> str | None:
        return MEASURE[self.category()] if self.outcome == "verified_measure_applied" else None


def _grid_villages() -> dict[str, str]:
    """village code -> grid id of the demo grid directory."""
    path = Path(__file__).resolve().parents[2] / "deploy" / "demo" / "130826-grids.yaml"
    data = yaml.safe_load(path.read_text("utf-8"))
    return {v["code"]: g["grid_id"] for g in data["grids"] for v in g["villages"]}


@dataclass
class Scenario:
    now: datetime
    people: dict[str, Person] = field(default_factory=dict)
    # Calls: (feed, [bodies]) in order; duplicates and invalid rows included.
    calls: list[tuple[str, list[dict[str, Any]]]] = field(default_factory=list)
    file_rows: list[dict[str, Any]] = field(default_factory=list)  # screening list (CSV)
    # Invalid rows sent: (feed, reason, field, the row's source id); a row sent twice is one
    # rejection (its id derives from the payload).
    invalid: list[tuple[str, str, str, str]] = field(default_factory=list)

    @property
    def day(self) -> date:
        return self.now.astimezone(SHANGHAI).date()

    # --- ground truth -----------------------------------------------------------------------

    def records(self) -> list[Rec]:
        return [r for p in self.people.values() for r in p.records]

    def status_of(self, rec: Rec) -> str:
        return self.people[rec.person].status

    def status_counts(self, recs: list[Rec]) -> dict[str, int]:
        counts = Counter(self.status_of(r) for r in recs)
        return {"pushed": len(recs), **{s: counts[s] for s in
                                        ("verified", "system_fault", "unreachable", "pending")}}

    def persons(self) -> dict[str, Any]:
        people = list(self.people.values())
        groups = Counter({f: 0 for f in ("bigdata", "assist", "selfreport", "screening",
                                         "contacts", "inbound")})
        levels = Counter({lv: 0 for lv in ("high", "medium", "low", "none")})
        measures = Counter({m: 0 for m in ("centralized_quarantine", "home_quarantine",
                                           "health_monitoring")})
        groups.update(p.group for p in people)
        levels.update(p.level() for p in people)
        measures.update(p.measure_applied for p in people if p.measure_applied)
        verified = sum(p.verified for p in people)
        return {"total": len(people), "by_group": dict(groups), "by_risk_level": dict(levels),
                "by_category": dict(Counter(p.category() for p in people)),
                "measures_applied": dict(measures), "verified": verified,
                "open": len(people) - verified}

    def tests(self, low_only: bool = False) -> dict[str, int]:
        # Day 1 (today: everyone arrived today) is the only test day not in the future.
        tested = [p for p in self.people.values() if p.measure_applied
                  and (not low_only or p.category() == "low_risk_area")]
        results = Counter(p.test for p in tested)
        return {"due": len(tested), "done": results["negative"] + results["positive"],
                "positive": results["positive"], "missed": results["not_tested"]}

    def rejected(self) -> tuple[Counter[str], Counter[str]]:
        distinct = set(self.invalid)
        return Counter(r for _, r, _, _ in distinct), Counter(f for f, _, _, _ in distinct)

    def expected_report(self, hourly: list[int], *, designations: int = len(DESIGNATIONS),
                        tasks: dict[str, int] | None = None) -> dict[str, Any]:
        recs = self.records()
        by_reason, by_feed = self.rejected()
        towns = sorted({r.township for r in recs}, key=lambda t: (t == "unknown", t))
        persons = self.persons()
        tests = self.tests()
        return {
            "date": self.day.isoformat(),
            "today": self.status_counts(recs),
            "cumulative": self.status_counts(recs),
            "feeds": [{"feed": f, "today": self.status_counts([r for r in recs if r.feed == f]),
                       "cumulative": self.status_counts([r for r in recs if r.feed == f])}
                      for f in ("bigdata", "assist", "selfreport", "screening", "contacts")],
            "townships": [{"code": t,
                           "today": self.status_counts([r for r in recs if r.township == t]),
                           "cumulative": self.status_counts(
                               [r for r in recs if r.township == t])} for t in towns],
            "persons": {"today": persons, "cumulative": persons},
            "tasks": tasks or {"overdue_now": 0, "went_overdue_today": 0, "escalated_today": 0},
            "tests": {"today": tests, "cumulative": tests,
                      "low_risk_cumulative": self.tests(low_only=True),
                      "positive_alerts_today": sum(p.test == "positive" and
                                                   p.measure_applied is not None
                                                   for p in self.people.values())},
            "rejected": {"today": {"total": sum(by_reason.values()), "by_reason": dict(by_reason),
                                   "by_feed": dict(by_feed)},
                         "cumulative": {"total": sum(by_reason.values()),
                                        "by_reason": dict(by_reason)}},
            "resolved_today": sum(p.outcome in ("verified_no_risk", "not_in_area")
                                  for p in self.people.values()),
            "designations_today": designations,
            "hourly": hourly,
        }


def build(now: datetime, seed: int = 20220801) -> Scenario:
    """The plan: 20 people over all five feeds, 22 records, duplicates, invalid rows."""
    rng = random.Random(seed)
    factory = RecordFactory(rng)
    villages = _grid_villages()
    grid_village = sorted(villages)
    sc = Scenario(now=now)
    # Everyone arrived today (Asia/Shanghai), so day 1 of their tests is today.
    midnight = now.astimezone(SHANGHAI).replace(hour=0, minute=0, second=0, microsecond=0)
    arrived = max(midnight + timedelta(minutes=1), now - timedelta(minutes=20))

    def record(person: str, feed: str, *, origin: str | None = "130102", country: str | None =
               None, exposure: str | None = None, village: str | None = None,
               township: str | None = None, same_as: str | None = None) -> Rec:
        body = factory.record(feed, now)
        body["source_record_id"] = f"chain-{feed}-{factory.serial:04d}"
        if same_as is not None:
            body["id_number"] = sc.people[same_as].id_number
        else:
            body["id_number"] = id_number(rng, "130826")
        body["arrived_at"] = arrived.isoformat()
        body["departed_at"] = (arrived - timedelta(hours=3)).isoformat()
        if country is not None:
            body.pop("origin_area_code"), body.pop("origin_area_name")
            body["origin_country"] = country
        else:
            assert origin is not None
            body["origin_area_code"] = origin
            body["origin_area_name"] = ORIGIN_NAMES[origin[:6]]
        if exposure is not None:
            body["exposure"] = exposure
        if feed == "assist":
            body["reply_by"] = (now + timedelta(hours=6)).isoformat()
        if village is not None:
            body["current_township_code"], body["current_village_code"] = village[:9], village
        elif township is not None:
            body["current_township_code"] = township
            body.pop("current_village_code")
        else:
            body.pop("current_township_code"), body.pop("current_village_code")
        return Rec(feed, person, body)

    def person(label: str, outcome: str | None, test: str | None = None) -> Person:
        made = Person(label, "", outcome, test)
        sc.people[label] = made
        return made

    def add(p: Person, rec: Rec) -> Rec:
        if not p.id_number:
            p.id_number = str(rec.body["id_number"])
        p.records.append(rec)
        return rec

    v = iter(grid_village[::3])  # villages spread over the demo grids
    plan: list[tuple[str, str, dict[str, Any], str | None, str | None]] = [
        ("bd-high", "bigdata", {"origin": "110105001"}, "verified_measure_applied", "negative"),
        ("bd-none", "bigdata", {}, "verified_no_risk", None),
        ("bd-low", "bigdata", {"origin": "110105003"}, "verified_measure_applied", "positive"),
        ("bd-pending", "bigdata", {}, None, None),
        ("as-medium", "assist", {"origin": "310115"}, "unreachable", None),
        ("as-none", "assist", {}, "system_fault", None),
        ("as-high", "assist", {"origin": "110105001"}, "verified_measure_applied", "not_tested"),
        ("sr-none", "selfreport", {}, "verified_no_risk", None),
        ("sr-low", "selfreport", {"origin": "110105"}, "verified_measure_applied", "not_tested"),
        ("sr-high", "selfreport", {"origin": "110105001"}, None, None),
        ("sc-none", "screening", {}, "not_in_area", None),
        ("sc-medium", "screening", {"origin": "310115"}, "verified_measure_applied", "negative"),
        ("sc-abroad", "screening", {"origin": None, "country": "US"},
         "verified_measure_applied", "negative"),
        ("ct-close", "contacts", {"exposure": "close_contact"}, "verified_measure_applied",
         "negative"),
        ("ct-secondary", "contacts", {"exposure": "secondary_close_contact"}, None, None),
        # A township without grids (its pool) and a record with no township (the county pool).
        ("sc-pool", "screening", {"township": "130826103"}, "verified_no_risk", None),
        ("bd-county", "bigdata", {"no_place": True}, "system_fault", None),
    ]
    for label, feed, opts, outcome, test in plan:
        p = person(label, outcome, test)
        kwargs: dict[str, Any] = {k: opts[k] for k in ("origin", "country", "exposure",
                                                         "township") if k in opts}
        if "township" not in opts and not opts.get("no_place"):
            kwargs["village"] = next(v)
        add(p, record(label, feed, **kwargs))

    # Merges: the same person on a second feed. One stays "none" (merged), one is raised to a
    # close contact by the CDC's list (reclassified); the case keeps its first record's feed.
    merged = person("merge-none", "verified_no_risk")
    add(merged, record("merge-none", "selfreport", village=next(v)))
    raised = person("merge-raised", "unreachable")
    add(raised, record("merge-raised", "selfreport", village=next(v)))

    # The screening list, uploaded as a CSV file: two people.
    listed_a = person("list-a", "verified_no_risk")
    listed_b = person("list-b", None)
    for p in (listed_a, listed_b):
        rec = add(p, record(p.label, "screening", village=next(v)))
        rec.via = "file"
        sc.file_rows.append(rec.body)

    by_feed: dict[str, list[dict[str, Any]]] = {}
    for p in sc.people.values():
        for rec in p.records:
            if rec.via == "http":
                by_feed.setdefault(rec.feed, []).append(rec.body)
    # Second feed of the merged people, pushed after their first records.
    later_none = add(merged, record("merge-none", "bigdata", village=str(
        merged.records[0].body["current_village_code"]), same_as="merge-none"))
    later_raised = add(raised, record("merge-raised", "contacts", exposure="close_contact",
                                      village=str(raised.records[0].body["current_village_code"]),
                                      same_as="merge-raised"))

    # Invalid rows (one per reason), one of them sent twice (one rejection to count).
    def spoiled(feed: str, reason: str, fld: str, change: dict[str, Any]) -> dict[str, Any]:
        body = factory.record(feed, now)
        body["source_record_id"] = f"chain-bad-{feed}-{factory.serial:04d}"
        for key, value in change.items():
            if value is None:
                body.pop(key)
            else:
                body[key] = value
        sc.invalid.append((feed, reason, fld, str(body["source_record_id"])))
        return body

    bad_id = dict(by_feed["bigdata"][0])
    digits = str(bad_id["id_number"])
    bad = {
        "bigdata": [spoiled("bigdata", "invalid_id_number", "id_number", {
            "id_number": digits[:10] + str((int(digits[10]) + 1) % 10) + digits[11:]})],
        "assist": [spoiled("assist", "invalid_mobile", "mobile", {"mobile": "1234567"})],
        "selfreport": [spoiled("selfreport", "invalid_time", "arrived_at",
                               {"arrived_at": "昨天下午"})],
        "contacts": [spoiled("contacts", "missing_field", "name", {"name": None})],
    }
    bad_twice = bad["assist"][0]

    # The calls, in order: each feed's good records with an invalid row and an in-call
    # duplicate; then the later records with repeats of earlier ones (duplicates).
    for feed in ("bigdata", "assist", "selfreport", "screening", "contacts"):
        bodies = list(by_feed[feed]) + bad.get(feed, [])
        if feed == "bigdata":
            bodies.append(dict(bodies[1]))  # the same record twice in one call
        sc.calls.append((feed, bodies))
    sc.calls.append(("bigdata", [later_none.body, by_feed["bigdata"][0]]))
    sc.calls.append(("contacts", [later_raised.body]))
    sc.calls.append(("assist", [bad_twice, by_feed["assist"][0]]))
    sc.invalid.append(("assist", "invalid_mobile", "mobile",  # the same rejection again
                       str(bad_twice["source_record_id"])))
    return sc


FILE_COLUMNS = (("源记录编号", "source_record_id"), ("姓名", "name"), ("身份证号", "id_number"),
                ("手机号", "mobile"), ("来源地区划代码", "origin_area_code"),
                ("来源地", "origin_area_name"), ("离开时间", "departed_at"),
                ("到达时间", "arrived_at"), ("乡镇/街道", "current_township_code"),
                ("村(社区)", "current_village_code"), ("现住址", "current_address"),
                ("排查单位", "screened_by"), ("卡口", "checkpoint"))


def to_csv(rows: list[dict[str, Any]]) -> bytes:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([title for title, _ in FILE_COLUMNS])
    for row in rows:
        writer.writerow([row.get(key, "") for _, key in FILE_COLUMNS])
    return out.getvalue().encode("utf-8")
