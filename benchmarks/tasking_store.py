"""Benchmark (not a test): what tasking's store operations cost as the tasks collection grows,
through tasking's own `TaskStore` (indexes from `TaskStore.prepare`, i.e. `ensure_indexes` and,
on FerretDB over PostgreSQL, the GIN pushdown indexes) and real `Task` documents.

    python benchmarks/tasking_store.py                          # private stack, PostgreSQL
    python benchmarks/tasking_store.py --sizes 1000,10000 --json out.json
    python benchmarks/tasking_store.py --store sqlite
    python benchmarks/tasking_store.py --mongo mongodb://127.0.0.1:27017/ \
        --postgresql postgres://paicha@127.0.0.1:5433/ferretdb   # a running stack

Data at each N (a fresh database each time, dropped afterwards): N tasks of the demo county's
grids (deploy/demo, 90%) and its township/county pools (10%). As in a campaign most tasks are
closed (verified, resolved: no timer left); a fixed number (`--open`, default 500) are open
with a pending timer. The timer rebuild at start reads only tasks with a timer by design
(`has_timer: true`), so it is reported against both the total and the open count; the variant
`--open-share 0.1` (run by default after the fixed one) lets the open timers grow with N and
reports the rebuild time per open timer.

Operations, sequential, one at a time:
- task by id: `TaskStore.get` of random ids (p50/p99 over 200);
- outcome update: the API's real write path `Tasking.change` with `record_outcome(unreachable)`
  on distinct open tasks: load, transition, save guarded by version, outbox drop guarded by
  version (the Kafka publish in between is a no-op here: it is not a store cost);
- grid listing: what `GET /v1/tasks?grid=G` does: `TaskStore.find({grid_id, open: true})`, then
  sort by (due_at, task id) and take a page of 50 in Python;
- timer rebuild: `TaskStore.timers()` as `Tasking.recover` calls it at start (median of 5);
- a consumer batch's bulk writes (`BATCH` = 200 documents each, median of 5 batches, reported
  per batch): `TaskStore.insert_many` of 200 new tasks with their outbox (and the batch's relay
  token); `insert_contacts` of 200 new contact documents; `drop_relayed` of those 200 tasks'
  outboxes (one `update_many` by the token); for comparison the drops as before (200
  `drop_outbox` guarded by version, ten in flight: the client's pool) and a 200-id `$in` on
  `_id` (once per size: FerretDB v1 does not push `$in` down, `explain` reports
  `filterPushdown`, printed);
- insert per task: `TaskStore.insert` of 200 more tasks into the collection of N. The N tasks
  themselves are loaded with insert_many of the documents `TaskStore` writes (one round-trip per
  1,000), to keep the 100k runs short; on PostgreSQL the table is then VACUUM ANALYZEd (what
  autovacuum does soon after such a load; otherwise it may run during the measurements).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from prometheus_client import CollectorRegistry  # noqa: E402

from paicha.stack import Stack  # noqa: E402
from paicha.stack.config import StackSettings  # noqa: E402
from paicha.stack.errors import free_port  # noqa: E402
from paicha_runtime.mongo import MongoSettings  # noqa: E402
from services.tasking.adapters.grid_files import read_grids  # noqa: E402
from services.tasking.adapters.kafka_publisher import KafkaPublisher  # noqa: E402
from services.tasking.adapters.mongo_store import TaskStore  # noqa: E402
from services.tasking.clock import ManualClock  # noqa: E402
from services.tasking.domain import transitions as tr  # noqa: E402
from services.tasking.domain.model import (  # noqa: E402
    Contact,
    Outcome,
    Source,
    Status,
    Task,
    Tier,
)
from services.tasking.handlers import Tasking, task_id_for  # noqa: E402
from services.tasking.metrics import TaskingMetrics  # noqa: E402
from services.tasking.policy import load_policy  # noqa: E402
from services.tasking.scheduler import Scheduler  # noqa: E402

OPS = ("task by id p50", "task by id p99", "outcome update", "grid listing", "timer rebuild",
       "insert per task")
BATCH = 200
BATCH_OPS = ("batch: insert tasks", "batch: insert contacts", "batch: drop outboxes (bulk)",
             "batch: drop outboxes (one by one)", "batch: $in of 200 ids")
POLICY = load_policy()
T0 = datetime(2022, 6, 1, 1, 0, tzinfo=UTC)  # 09:00 in Asia/Shanghai
GRIDS_FILE = ROOT / "deploy" / "demo" / "130826-grids.yaml"
SAMPLES, SECONDS = 200, 10.0  # each timed operation: this many samples or seconds, first hit


class NoPublish:
    """Stands in for KafkaPublisher: the relay's publish is not a store operation."""

    async def publish(self, entries: Sequence[dict[str, Any]]) -> None:
        return None


def places() -> list[tuple[str, Tier, str, str | None, str | None]]:
    """(grid id, tier, county, township, village) tasks are spread over: each demo grid (with
    one of its villages), the pools of townships without grids, the county pool."""
    out: list[tuple[str, Tier, str, str | None, str | None]] = []
    for grid in read_grids(GRIDS_FILE):
        for village in grid["villages"][:3]:
            out.append((grid["grid_id"], Tier.GRID, "130826", grid["township_code"],
                        village["code"]))
    pools = [("pool-130826300", Tier.TOWNSHIP, "130826", "130826300", None),
             ("pool-130826400", Tier.TOWNSHIP, "130826", "130826400", None),
             ("pool-130826", Tier.COUNTY, "130826", None, None)]
    # ~90% on grids, ~10% in the pools
    return out + pools * max(1, len(out) // 9 // len(pools))


PLACES = places()


def make_task(run: str, i: int, closed: bool) -> Task:
    grid_id, tier, county, township, village = PLACES[i % len(PLACES)]
    received = T0 - timedelta(days=3) + timedelta(seconds=i % 86_400)
    task = Task(
        task_id=task_id_for(f"case-{run}-{i}"), case_id=f"case-{run}-{i}",
        person_key=hashlib.sha256(f"{run}/{i}".encode()).hexdigest(), status=Status.ASSIGNED,
        tier=tier, grid_id=grid_id, county_code=county, township_code=township,
        village_code=village, category="high_risk_area", risk_level="high",
        measure="home_health_monitoring", measure_days=7, followup_days=0,
        test_days=[1, 3, 7], sources=[Source("bigdata", f"src-{i}", f"rec-{run}-{i}", received)],
        due_at=received + timedelta(hours=12), assigned_at=received,
        pool_reason=None if tier == Tier.GRID else "no grid for the place: pool",
        arrived_at=received,
        contact=Contact(f"测试{i}号", "resident_id", "130826199001010016", "19900000001",
                        "测试村"), announced=True)
    if closed:
        now = received + timedelta(hours=2)
        tr.start(task, "bench-worker", now)
        tr.record_outcome(task, Outcome.VERIFIED_NO_RISK, measure_applied=None,
                          by="bench-worker", note=None, request_id=f"req-{i}", now=now,
                          policy=POLICY)
    return task


def stats(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return statistics.median(ordered), p99


async def timed(op: Callable[[int], Awaitable[object]], samples: int = SAMPLES) -> list[float]:
    times: list[float] = []
    deadline = time.perf_counter() + SECONDS
    while len(times) < samples and (len(times) < 5 or time.perf_counter() < deadline):
        started = time.perf_counter()
        await op(len(times))
        times.append(time.perf_counter() - started)
    return times


async def measure(mongo_url: str, pg_url: str | None, n: int, open_count: int
                  ) -> dict[str, Any]:
    """The operations on a fresh tasks collection of n tasks, open_count of them open."""
    run = uuid.uuid4().hex[:8]
    settings = MongoSettings(url=mongo_url, database=f"bench-tasking-{run}",
                             ferretdb_postgresql_url=pg_url)
    store = TaskStore(settings)
    clock = ManualClock(T0)
    metrics = TaskingMetrics(CollectorRegistry())
    tasking = Tasking(store, cast(KafkaPublisher, NoPublish()), POLICY, clock, metrics,
                      Scheduler(clock, metrics))
    open_every = max(1, n // open_count) if open_count else n + 1
    open_ids: list[str] = []
    try:
        await store.prepare()  # as tasking at start: indexes (+ GIN pushdown on PostgreSQL)
        started = time.perf_counter()
        for start in range(0, n, 1000):
            docs = []
            for i in range(start, min(start + 1000, n)):
                is_open = i % open_every == 0 and len(open_ids) < open_count
                task = make_task(run, i, closed=not is_open)
                if is_open:
                    open_ids.append(task.task_id)
                docs.append(TaskStore._doc(task, 1, [], tr.next_due(task)))
            await store.db.tasks.insert_many(docs)
        load_s = time.perf_counter() - started
        if pg_url:  # the steady state: autovacuum's catch-up after the bulk load done first
            await vacuum_analyze(pg_url, settings.database)
        all_ids = [task_id_for(f"case-{run}-{i}") for i in range(n)]

        got = await timed(lambda k: store.get(random.choice(all_ids)))

        def outcome(task: Task, k: int) -> list[Any]:
            return tr.record_outcome(task, Outcome.UNREACHABLE, measure_applied=None,
                                     by="bench-worker", note=None, request_id=f"bench-{k}",
                                     now=clock.now(), policy=POLICY)

        targets = random.sample(open_ids, min(SAMPLES, len(open_ids)))
        updates = await timed(
            lambda k: tasking.change(targets[k], lambda t: outcome(t, k)), len(targets))

        grids = [p[0] for p in PLACES]
        sizes: list[int] = []

        async def listing(k: int) -> None:
            tasks = await store.find({"grid_id": random.choice(grids), "open": True})
            tasks.sort(key=lambda t: (t.due_at, t.task_id))
            sizes.append(len(tasks))
            _ = tasks[:50]

        listings = await timed(listing)
        timer_count = len(await store.timers())
        rebuilds = await timed(lambda k: store.timers(), 5)

        async def insert(k: int) -> None:
            task = make_task(run, n + k, closed=True)
            assert await store.insert(task, [], tr.next_due(task))

        inserts = await timed(insert)
        batch = await measure_batches(store, run, n)
    finally:
        await store.db.client.drop_database(settings.database)
        await store.close()
    id_p50, id_p99 = stats(got)
    return {
        "tasks": n, "open timers": timer_count, "load s": load_s,
        "loadavg 1m": os.getloadavg()[0],  # the machine is shared: how busy it was
        "listing tasks (mean)": statistics.mean(sizes) if sizes else 0,
        "task by id p50": id_p50, "task by id p99": id_p99,
        "outcome update": statistics.median(updates) if updates else float("nan"),
        "outcome update p99": stats(updates)[1] if updates else float("nan"),
        "grid listing": statistics.median(listings),
        "grid listing p99": stats(listings)[1],
        "timer rebuild": statistics.median(rebuilds),
        "timer rebuild per timer": statistics.median(rebuilds) / max(timer_count, 1),
        "insert per task": statistics.median(inserts),
        **batch,
    }


async def measure_batches(store: TaskStore, run: str, n: int) -> dict[str, Any]:
    """What one consumer batch of BATCH new cases costs in bulk, and the drops as before."""
    now = T0
    out: dict[str, list[float]] = {op: [] for op in BATCH_OPS}
    pushdown: Any = None
    for k in range(5):
        base = n + 1000 + k * 2 * BATCH
        fresh = [make_task(run, base + i, closed=False) for i in range(2 * BATCH)]
        for task in fresh:
            task.announced = False
        entries: list[list[dict[str, Any]]] = [
            [{"id": f"{t.task_id}-1-0", "topic": "t", "key": t.case_id, "type": "x",
              "data": "{}", "time": now}] for t in fresh]
        rows = [(t, e, tr.next_due(t)) for t, e in zip(fresh, entries, strict=True)]
        token = uuid.uuid4().hex
        started = time.perf_counter()
        inserted = await store.insert_many(rows[:BATCH], token)
        out["batch: insert tasks"].append(time.perf_counter() - started)
        await store.insert_many(rows[BATCH:])
        assert len(inserted) == BATCH

        contacts = [{"_id": f"{t.person_key}-c", "records": [{"record_id": t.sources[0].record_id,
                                                            "received_at": now}],
                     "person": {"name": "测试"}, "address": "测试村"} for t in fresh[:BATCH]]
        started = time.perf_counter()
        assert len(await store.insert_contacts(contacts)) == BATCH
        out["batch: insert contacts"].append(time.perf_counter() - started)

        started = time.perf_counter()
        assert await store.drop_relayed(token) == BATCH
        out["batch: drop outboxes (bulk)"].append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(store.drop_outbox(t.task_id, [e[0]["id"]], 1)
                               for t, e in zip(fresh[BATCH:], entries[BATCH:], strict=True)))
        out["batch: drop outboxes (one by one)"].append(time.perf_counter() - started)

        if k > 0:  # a scan (not pushed down): once is enough, it takes a minute at 100k
            continue
        ids = [t.task_id for t in fresh[:BATCH]]
        started = time.perf_counter()
        found = await store.db.tasks.find({"_id": {"$in": ids}}, {"_id": 1}).to_list(None)
        out["batch: $in of 200 ids"].append(time.perf_counter() - started)
        assert len(found) == BATCH
        if pushdown is None:
            explained = await store.db.command(
                "explain", {"find": "tasks", "filter": {"_id": {"$in": ids}}})
            pushdown = explained.get("filterPushdown", "(no filterPushdown field)")
    return {**{op: statistics.median(times) for op, times in out.items()},
            "$in filterPushdown": pushdown}


async def vacuum_analyze(pg_url: str, database: str) -> None:
    """VACUUM ANALYZE the tasks table, as autovacuum would soon after a bulk load (otherwise it
    may run in the middle of the measurements)."""
    import psycopg
    from psycopg import sql

    from paicha_runtime.ferretdb_pg import _table_of

    async with await psycopg.AsyncConnection.connect(pg_url, autocommit=True) as conn:
        table = await _table_of(conn, database, "tasks")
        if table is not None:
            await conn.execute(sql.SQL("VACUUM ANALYZE {}.{}").format(
                sql.Identifier(database), sql.Identifier(table)))


def fmt(seconds: float) -> str:
    if seconds != seconds:
        return "-"
    if seconds < 0.001:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def print_table(title: str, rows: list[dict[str, Any]], ops: Sequence[str]) -> None:
    first, last = rows[0], rows[-1]
    head = ["operation", *(f"N={r['tasks']:,} ({r['open timers']:,} open)" for r in rows),
            f"{last['tasks']:,}/{first['tasks']:,}"]
    table = [[op, *(fmt(r[op]) for r in rows), f"{last[op] / first[op]:.2f}x"] for op in ops]
    table.append(["(tasks per listing)", *(f"{r['listing tasks (mean)']:.0f}" for r in rows),
                  ""])
    widths = [max(len(str(r[i])) for r in [head, *table]) for i in range(len(head))]
    print(f"\n{title}")
    for row in [head, ["-" * w for w in widths], *table]:
        print(" | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)), flush=True)


async def run_all(mongo_url: str, pg_url: str | None, args: argparse.Namespace
                  ) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {"fixed open": [], "open share": [], "repeat": []}

    async def one(kind: str, n: int, open_count: int) -> None:
        result = await measure(mongo_url, pg_url, n, open_count)
        out[kind].append(result)
        print(f"  [{kind}] N={n:,} open={result['open timers']:,} (loaded in "
              f"{result['load s']:.0f} s, load average {result['loadavg 1m']:.1f}): "
              + ", ".join(f"{op} {fmt(result[op])}" for op in (*OPS, *BATCH_OPS))
              + f"; $in filterPushdown: {result['$in filterPushdown']}", flush=True)

    for n in args.sizes:
        await one("fixed open", n, min(args.open, n))
    if args.open_share:
        for n in args.sizes:
            await one("open share", n, max(1, int(n * args.open_share)))
    if args.repeat:  # the machine is shared: the first and last points again, to see the noise
        for n in (args.sizes[0], args.sizes[-1]):
            await one("repeat", n, min(args.open, n))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000",
                        type=lambda s: [int(x) for x in s.split(",")])
    parser.add_argument("--open", type=int, default=500, help="open tasks (with a timer)")
    parser.add_argument("--open-share", type=float, default=0.1,
                        help="variant: this share of N open (0: skip the variant)")
    parser.add_argument("--no-repeat", dest="repeat", action="store_false",
                        help="skip repeating the first and last size at the end")
    parser.add_argument("--store", choices=("postgresql", "sqlite"), default="postgresql",
                        help="store of the private stack")
    parser.add_argument("--mongo", help="use this running FerretDB/MongoDB (no private stack)")
    parser.add_argument("--postgresql", help="with --mongo: FerretDB's PostgreSQL")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    stack = None
    if args.mongo:
        mongo_url, pg_url, where = args.mongo, args.postgresql, args.mongo
    else:
        settings = StackSettings(
            name=f"bench-tasking-{os.getpid()}", store=args.store,
            kafka_port=free_port(), kafka_controller_port=free_port(), mongo_port=free_port(),
            postgres_port=free_port())
        stack = Stack(settings)
        print(f"starting a private stack ({settings.name}, {args.store})", flush=True)
        stack.up()
        mongo_url, pg_url = settings.mongo_url, settings.ferretdb_postgresql_url
        where = f"private stack, FerretDB over {args.store}"
    try:
        results = asyncio.run(run_all(mongo_url, pg_url, args))
    finally:
        if stack is not None:
            stack.down(wipe=True)

    print_table(f"{where}: {args.open} open tasks with timers, the rest closed",
                results["fixed open"], OPS)
    print_table(f"{where}: a consumer batch of {BATCH} in bulk (per batch)",
                results["fixed open"], BATCH_OPS)
    if results["open share"]:
        print_table(f"{where}: {args.open_share:.0%} of the tasks open", results["open share"],
                    ("grid listing", "timer rebuild", "timer rebuild per timer"))
    if results["repeat"]:
        print_table("repeat at the end (noise)", results["repeat"], OPS)
    if args.json:
        args.json.write_text(json.dumps({"where": where, "sizes": args.sizes, **results},
                                        indent=2))
        print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
