"""Benchmark (not a test): what one store operation costs as a collection grows, on FerretDB v1
over PostgreSQL (with the GIN pushdown indexes `ensure_indexes` adds) and over SQLite, and what
intake's re-send of a call costs with ~100k records stored.

    python benchmarks/store_ops.py                      # both stores, private stacks, 1k/10k/100k
    python benchmarks/store_ops.py --store postgresql --sizes 1000,10000 --json out.json
    python benchmarks/store_ops.py --no-intake          # store operations only

Each store gets a private local stack (Kafka + FerretDB, + PostgreSQL) on free ports, wiped at
the end. Store operations: a collection of N small task-like documents with indexes declared via
ensure_indexes on (grid_id, status); insert_many (per document), find_one by `_id`, update_one by
`_id` ($set), find {grid_id, status} limit 50. Intake: a real intake process (as
benchmarks/intake_push.py starts it) receives 5,000-record calls until ~100k records are stored,
then the first send of a new call and a re-send of the same call are timed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pymongo import AsyncMongoClient, IndexModel  # noqa: E402

from benchmarks.intake_push import STAGES, cleanup, make_body, metrics, start_intake  # noqa: E402
from paicha.stack import Stack  # noqa: E402
from paicha.stack.config import StackSettings  # noqa: E402
from paicha.stack.errors import free_port  # noqa: E402
from paicha_runtime.mongo import MongoSettings, ensure_indexes  # noqa: E402

OPS = ("insert_many (per doc)", "find_one by _id", "update_one by _id",
       "find {grid_id, status} limit 50")
STATUSES = ("open", "assigned", "done", "unreachable")
GRIDS = 200
# Each timed operation runs until this many samples or this many seconds, whichever is first.
SAMPLES, SECONDS = 200, 8.0


def task(i: int) -> dict[str, Any]:
    return {"_id": f"task-{i:07d}", "grid_id": f"g-{i % GRIDS:03d}",
            "status": STATUSES[(i // GRIDS) % len(STATUSES)], "kind": "sampling",
            "person_key": uuid.uuid4().hex, "attempts": 0, "created_at": datetime.now(UTC)}


async def timed(op: Callable[[int], Awaitable[object]], n: int) -> float:
    """Mean seconds per call of op(random index < n), sequential calls."""
    times: list[float] = []
    deadline = time.perf_counter() + SECONDS
    while len(times) < SAMPLES and (len(times) < 5 or time.perf_counter() < deadline):
        i = random.randrange(n)
        started = time.perf_counter()
        await op(i)
        times.append(time.perf_counter() - started)
    return statistics.mean(times)


async def measure(client: AsyncMongoClient, pg_url: str | None, n: int) -> dict[str, float]:
    """The four operations on a fresh collection of n documents (dropped afterwards)."""
    db = client[f"bench-store-{uuid.uuid4().hex[:8]}"]
    settings = MongoSettings(database=db.name, ferretdb_postgresql_url=pg_url)
    await ensure_indexes(db, "tasks", [IndexModel([("grid_id", 1), ("status", 1)])], settings)
    tasks = db["tasks"]
    try:
        started = time.perf_counter()
        for start in range(0, n, 1000):
            await tasks.insert_many([task(i) for i in range(start, min(start + 1000, n))])
        insert = (time.perf_counter() - started) / n
        find = await timed(lambda i: tasks.find_one({"_id": f"task-{i:07d}"}), n)
        update = await timed(lambda i: tasks.update_one(
            {"_id": f"task-{i:07d}"}, {"$set": {"attempts": 1}}), n)
        query = await timed(lambda i: tasks.find(
            {"grid_id": f"g-{i % GRIDS:03d}", "status": STATUSES[i % len(STATUSES)]}
        ).limit(50).to_list(None), n)
    finally:
        await client.drop_database(db.name)
    return dict(zip(OPS, (insert, find, update, query), strict=True))


async def store_ops(mongo_url: str, pg_url: str | None, sizes: list[int]) -> dict[int, dict]:
    client: AsyncMongoClient = AsyncMongoClient(mongo_url)
    out: dict[int, dict] = {}
    try:
        for n in sizes:
            out[n] = await measure(client, pg_url, n)
            print(f"  N={n:>7,}: " + ", ".join(f"{k} {fmt(v)}" for k, v in out[n].items()),
                  flush=True)
    finally:
        await client.close()
    return out


async def intake_resend(kafka: str, mongo_url: str, pg_url: str | None, stored: int,
                        call: int) -> dict[str, Any]:
    namespace = f"bench-{uuid.uuid4().hex[:8]}"
    extra = {"INTAKE_MONGO__FERRETDB_POSTGRESQL_URL": pg_url} if pg_url else {}
    process, url, token = start_intake(kafka, mongo_url, namespace, extra)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    try:
        async with httpx.AsyncClient(base_url=url, timeout=600) as client:
            for _ in range(300):
                try:
                    if (await client.get("/readyz")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.2)

            stages: dict[str, dict[str, float]] = {}

            async def send(body: bytes, name: str = "") -> tuple[float, dict[str, Any]]:
                before = await metrics(client) if name else {}
                started = time.perf_counter()
                response = await client.post("/v1/feeds/bigdata/records", content=body,
                                             headers=headers)
                took = time.perf_counter() - started
                assert response.status_code == 202, response.text[:300]
                if name:  # where the call's time went, from intake's own /metrics
                    after = await metrics(client)
                    key = "paicha_intake_stage_seconds_sum"
                    stages[name] = {st: after.get((key, f'stage="{st}"'), 0.0)
                                    - before.get((key, f'stage="{st}"'), 0.0) for st in STAGES}
                return took, response.json()

            run = uuid.uuid4().hex[:8]
            fill_started = time.perf_counter()
            for k in range(stored // call):
                await send(make_body(run, k, call))
            print(f"  intake: {stored:,} records stored in "
                  f"{time.perf_counter() - fill_started:.0f} s", flush=True)
            body = make_body(run, stored // call, call)
            first, answer = await send(body, "first send")
            assert answer["accepted"] == call, answer
            resend, answer = await send(body, "re-send")
            assert answer["duplicates"] == call, answer
            resend2, _ = await send(body, "re-send again")
            result = {"first send": first, "re-send": resend, "re-send again": resend2}
            print("  intake: " + ", ".join(f"{k} {fmt(v)}" for k, v in result.items())
                  + f", re-send/first {resend / first:.2f}x", flush=True)
            for name, parts in stages.items():
                print(f"    {name}: " + ", ".join(f"{st} {fmt(v)}" for st, v in parts.items()))
            return {**result, "stages": stages}
    finally:
        process.terminate()
        process.wait(30)
        await cleanup(kafka, mongo_url, namespace)


def fmt(seconds: float) -> str:
    if seconds < 0.001:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def run_store(store: str, args: argparse.Namespace) -> dict[str, Any]:
    settings = StackSettings(
        name=f"bench-{store}-{os.getpid()}", store=store,  # type: ignore[arg-type]
        kafka_port=free_port(), kafka_controller_port=free_port(), mongo_port=free_port(),
        postgres_port=free_port(),
    )
    stack = Stack(settings)
    print(f"\n{store}: starting a private stack ({settings.name})", flush=True)
    try:
        stack.up()
        pg_url = settings.ferretdb_postgresql_url
        result: dict[str, Any] = {
            "ops": asyncio.run(store_ops(settings.mongo_url, pg_url, args.sizes))}
        if args.intake:
            result["intake"] = asyncio.run(intake_resend(
                settings.kafka_bootstrap, settings.mongo_url, pg_url, args.stored, args.call))
        return result
    finally:
        stack.down(wipe=True)


def print_table(results: dict[str, dict[str, Any]], sizes: list[int], call: int,
                stored: int) -> None:
    first, last = sizes[0], sizes[-1]
    head = ["store", "operation", *(f"N={n:,}" for n in sizes), f"{last:,}/{first:,}"]
    rows = []
    for store, result in results.items():
        for op in OPS:
            values = [result["ops"][n][op] for n in sizes]
            rows.append([store, op, *map(fmt, values), f"{values[-1] / values[0]:.1f}x"])
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    print()
    for row in [head, ["-" * w for w in widths], *rows]:
        print(" | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
    for store, result in results.items():
        if "intake" in result:
            r = result["intake"]
            print(f"{store}: intake call of {call} records at ~{stored:,} stored: "
                  f"first send {fmt(r['first send'])}, re-send {fmt(r['re-send'])} "
                  f"({r['re-send'] / r['first send']:.2f}x), again {fmt(r['re-send again'])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", choices=("postgresql", "sqlite", "both"), default="both")
    parser.add_argument("--sizes", default="1000,10000,100000",
                        type=lambda s: [int(x) for x in s.split(",")])
    parser.add_argument("--no-intake", dest="intake", action="store_false",
                        help="skip intake's first send / re-send measurement")
    parser.add_argument("--stored", type=int, default=100_000,
                        help="records intake stores before the timed call")
    parser.add_argument("--call", type=int, default=5000, help="records per intake call")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    stores = ["postgresql", "sqlite"] if args.store == "both" else [args.store]
    results = {store: run_store(store, args) for store in stores}
    print_table(results, args.sizes, args.call, args.stored)
    if args.json:
        args.json.write_text(json.dumps(
            {"sizes": args.sizes, "call": args.call, "stored": args.stored,
             "results": {s: {"ops": {str(n): v for n, v in r["ops"].items()},
                             **({"intake": r["intake"]} if "intake" in r else {})}
                         for s, r in results.items()}}, indent=2))
        print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
