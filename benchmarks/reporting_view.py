"""Benchmark (not a test): reporting at campaign scale — merge the facts of N records (each with
its case, task lifecycle and some tests) into the view, derive the snapshot, build a day's
report and the briefing; optionally store the facts in a MongoDB-protocol store and load them
back (the start-up rebuild). Usage:

    python benchmarks/reporting_view.py --records 100000 [--mongo mongodb://127.0.0.1:27017/]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
import uuid
from datetime import date, datetime, timedelta
from typing import Any

from contracts.types import SHANGHAI
from paicha_runtime.mongo import MongoSettings
from services.reporting.adapters.store import FactStore
from services.reporting.domain.counters import CountingView
from services.reporting.domain.report import County, build_report
from services.reporting.domain.snapshot import take

FEEDS = ("bigdata", "assist", "selfreport", "screening", "contacts")
CLASSES = (("low_risk_area", "low", "health_monitoring"),
           ("medium_risk_area", "medium", "home_quarantine"),
           ("high_risk_area", "high", "centralized_quarantine"),
           ("close_contact", "none", "centralized_quarantine"), ("none", "none", "none"))


def facts(records: int, days: int, seed: int = 1) -> list[tuple[str, dict[str, Any]]]:
    rng = random.Random(seed)
    start = datetime(2022, 7, 1, tzinfo=SHANGHAI)
    out: list[tuple[str, dict[str, Any]]] = []
    for n in range(records):
        at = start + timedelta(seconds=rng.randrange(days * 86400))
        feed = rng.choice(FEEDS)
        key, case, task = f"{feed}/s{n}", f"c{n}", f"t{n}"
        cat, lvl, msr = rng.choice(CLASSES)
        iso = at.isoformat()
        out.append((f"r{n}", {"k": "record", "rec": key, "rid": f"r{n}", "feed": feed,
                              "at": iso, "tw": f"130826{100 + n % 20}"}))
        out.append((f"o{n}", {"k": "case", "case": case, "at": iso, "rank": 0, "cat": cat,
                              "lvl": lvl, "msr": msr, "tw": f"130826{100 + n % 20}",
                              "src": [{"rec": key, "feed": feed, "at": iso}]}))
        base = {"k": "task", "task": task, "case": case}
        out.append((f"a{n}", {**base, "ev": "assigned", "at": iso,
                              "due": (at + timedelta(hours=2)).isoformat()}))
        fate = rng.random()
        later = (at + timedelta(hours=1)).isoformat()
        if fate < 0.8:
            outcome = "verified_measure_applied" if msr != "none" else "verified_no_risk"
            out.append((f"x{n}", {**base, "ev": "outcome", "at": later, "outcome": outcome,
                                  "measure": msr if msr != "none" else None}))
            out.append((f"z{n}", {**base, "ev": "closed", "at": later, "outcome": outcome,
                                  "measure": msr}))
            if cat == "low_risk_area":
                for d in (1, 3):
                    test = {"k": "test", "test": f"{task}-{d}", "case": case}
                    when = (at.date() + timedelta(days=d - 1)).isoformat()
                    out.append((f"s{n}-{d}", {**test, "ev": "scheduled", "at": later,
                                              "date": when}))
                    out.append((f"v{n}-{d}", {**test, "ev": "result", "at": later,
                                              "result": "negative"}))
        elif fate < 0.9:
            out.append((f"x{n}", {**base, "ev": "outcome", "at": later,
                                  "outcome": rng.choice(("system_fault", "unreachable"))}))
    return out


async def run(args: argparse.Namespace) -> None:
    print(f"generating the facts of {args.records:,} records over {args.days} days …")
    all_facts = facts(args.records, args.days)
    print(f"{len(all_facts):,} facts")
    view = CountingView()
    started = time.perf_counter()
    for i in range(0, len(all_facts), 2000):  # as the consumer does: batches of what it polled
        view.apply_many(all_facts[i:i + 2000])
    merge = time.perf_counter() - started
    print(f"merge into the view in batches of 2,000, counters kept up to date: {merge:.2f} s "
          f"({len(all_facts) / merge:,.0f} facts/s)")
    one_by_one = CountingView()
    sample = all_facts[:50_000]
    started = time.perf_counter()
    for event_id, fact in sample:
        one_by_one.apply(event_id, fact)
    merge = time.perf_counter() - started
    print(f"merge one fact at a time: {len(sample) / merge:,.0f} facts/s")
    started = time.perf_counter()
    snap = view.snapshot()
    print(f"snapshot of the live counters: {(time.perf_counter() - started) * 1000:.1f} ms "
          f"({len(snap.figures()):,} figures)")
    started = time.perf_counter()
    reference = take(view)
    print(f"the same derived from scratch (reference pass): {time.perf_counter() - started:.2f} s")
    assert reference.figures() == snap.figures()
    county = County("130826", "丰", "丰宁满族自治县", {})
    day = date(2022, 7, 1) + timedelta(days=args.days - 1)
    started = time.perf_counter()
    report = build_report(snap, day, date(2022, 7, 1), county)
    print(f"report of one day from the snapshot: {(time.perf_counter() - started) * 1000:.1f} ms")
    print("\n".join(report["briefing"]))
    if args.mongo:
        settings = MongoSettings(url=args.mongo, database=f"bench_{uuid.uuid4().hex[:8]}")
        store = FactStore(settings)
        started = time.perf_counter()
        for i in range(0, len(all_facts), 5000):
            await store.save(all_facts[i:i + 5000])
        save = time.perf_counter() - started
        print(f"store insert: {save:.1f} s ({len(all_facts) / save:,.0f} facts/s)")
        started = time.perf_counter()
        fresh = CountingView()
        fresh.apply_many([item async for item in store.load()])
        print(f"start-up rebuild from the store: {time.perf_counter() - started:.1f} s")
        assert fresh.snapshot().figures() == snap.figures()
        client = settings.client()
        await client.drop_database(settings.database)
        await client.close()
        await store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--mongo", default=None)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
