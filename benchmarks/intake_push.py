"""Benchmark (not a test): records/s intake accepts into Kafka for HTTP calls of 500 records,
with 1 and 4 concurrent clients, and where a call's time goes (validation, dedupe store,
encoding, publish, HTTP), read from intake's own /metrics.

    python benchmarks/intake_push.py --kafka 127.0.0.1:9092 --mongo mongodb://127.0.0.1:27017/
        starts intake itself (a subprocess, uvicorn on a free port, its own topic namespace)
    python benchmarks/intake_push.py --url http://127.0.0.1:8001 --token pc_bigdata_...
        measures a running intake
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import httpx
import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aiokafka.admin import AIOKafkaAdminClient  # noqa: E402
from pymongo import AsyncMongoClient  # noqa: E402

from contracts.topics import registry  # noqa: E402
from contracts.values import check_digit  # noqa: E402
from paicha.stack.errors import free_port  # noqa: E402
from services.intake.auth import hash_token, new_token  # noqa: E402

STAGES = ("validate", "claim", "encode", "publish", "mark")
_SAMPLE = re.compile(r'^(paicha_intake_\w+)\{(.*)\} (\S+)$')  # labels may hold {feed}


def make_body(run: str, call: int, size: int) -> bytes:
    records = []
    for i in range(size):
        n = call * size + i
        body = f"130826{date(1960, 1, 1) + timedelta(days=n % 20000):%Y%m%d}{n % 1000:03d}"
        records.append({
            "source_record_id": f"{run}-{n}", "name": "测试一",
            "id_number": body + check_digit(body),
            "mobile": f"199{n % 100_000_000:08d}", "origin_area_code": "110105",
            "origin_area_name": "测试市测试区", "departed_at": "2022-07-31 20:00",
            "arrived_at": "2022-08-01 10:00", "current_township_code": "130826100",
            "current_address": "测试镇测试村1号", "exposure": "none", "signal": "电子围栏",
        })
    return orjson.dumps({"records": records})


def scrape(text: str) -> dict[tuple[str, str], float]:
    out: dict[tuple[str, str], float] = defaultdict(float)
    for line in text.splitlines():
        match = _SAMPLE.match(line)
        if match:
            out[(match[1], match[2])] += float(match[3])
    return out


async def metrics(client: httpx.AsyncClient) -> dict[tuple[str, str], float]:
    return scrape((await client.get("/metrics")).text)


async def run_level(client: httpx.AsyncClient, token: str, clients: int, calls: int,
                    size: int) -> None:
    run = uuid.uuid4().hex[:8]
    bodies = [[make_body(f"{run}-{c}", k, size) for k in range(calls)] for c in range(clients)]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    latencies: list[float] = []
    accepted = 0

    async def worker(mine: list[bytes]) -> None:
        nonlocal accepted
        for body in mine:
            started = time.perf_counter()
            response = await client.post("/v1/feeds/bigdata/records", content=body,
                                         headers=headers)
            latencies.append(time.perf_counter() - started)
            assert response.status_code == 202, response.text[:300]
            accepted += response.json()["accepted"]

    before = await metrics(client)
    started = time.perf_counter()
    await asyncio.gather(*(worker(b) for b in bodies))
    wall = time.perf_counter() - started
    after = await metrics(client)
    delta = {k: after[k] - before.get(k, 0.0) for k in after}
    n_calls = clients * calls
    print(f"\n{clients} client(s) x {calls} calls x {size} records: {accepted} accepted "
          f"in {wall:.2f} s = {accepted / wall:,.0f} records/s")
    latencies.sort()
    print(f"  call latency p50 {statistics.median(latencies) * 1000:.0f} ms, "
          f"p99 {latencies[int(len(latencies) * 0.99) - 1] * 1000:.0f} ms (client side)")
    request = sum(v for (name, labels), v in delta.items()
                  if name == "paicha_intake_request_seconds_sum" and "records" in labels)
    parts = {stage: delta.get(("paicha_intake_stage_seconds_sum", f'stage="{stage}"'), 0.0)
             for stage in STAGES}
    parts["HTTP (parse, framework, answer)"] = max(request - sum(parts.values()), 0.0)
    print(f"  per call inside intake: {request / n_calls * 1000:.1f} ms")
    for stage, seconds in parts.items():
        share = seconds / request * 100 if request else 0.0
        print(f"    {stage:<32} {seconds / n_calls * 1000:7.1f} ms  {share:5.1f} %")




def start_intake(kafka: str, mongo: str, namespace: str, extra: dict[str, str] | None = None
                 ) -> tuple[subprocess.Popen[bytes], str, str]:
    token, port = new_token("bigdata"), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTAKE_")}
    env.update({
        "INTAKE_KAFKA__BOOTSTRAP": kafka, "INTAKE_KAFKA__TOPIC_NAMESPACE": namespace,
        "INTAKE_MONGO__URL": mongo, "INTAKE_MONGO__DATABASE": namespace.replace("-", "_"),
        "INTAKE_HTTP__PORT": str(port), "INTAKE_ENVIRONMENT": "test",
        "INTAKE_PERSON_KEY_SECRET": uuid.uuid4().hex, "INTAKE_LOG_LEVEL": "WARNING",
        "INTAKE_FEED_TOKENS__BIGDATA": hash_token(token), "INTAKE_CONSUME_RAW": "false",
        **(extra or {}),
    })
    process = subprocess.Popen([sys.executable, "-m", "services.intake"], cwd=ROOT, env=env)
    print(f"started intake pid {process.pid} on port {port}, namespace {namespace}")
    return process, f"http://127.0.0.1:{port}", token


async def cleanup(kafka: str, mongo: str, namespace: str) -> None:
    """Drop the run's database and topics (the benchmark leaves nothing behind)."""
    client: AsyncMongoClient = AsyncMongoClient(mongo)
    await client.drop_database(namespace.replace("-", "_"))
    await client.close()
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        await admin.delete_topics([t.name for t in registry(namespace) if t.name in existing])
    finally:
        await admin.close()


async def main(args: argparse.Namespace) -> None:
    process = None
    url, token = args.url, args.token
    namespace = f"bench-{uuid.uuid4().hex[:8]}"
    if url is None:
        process, url, token = start_intake(args.kafka, args.mongo, namespace)
    try:
        async with httpx.AsyncClient(base_url=url, timeout=120) as client:
            for _ in range(300):
                try:
                    if (await client.get("/readyz")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.2)
            await run_level(client, token, 1, 3, args.batch)  # warm-up: connections, topics
            print("(warm-up above)")
            for clients in args.clients:
                await run_level(client, token, clients, args.calls, args.batch)
    finally:
        if process is not None:
            process.terminate()
            process.wait(30)
            await cleanup(args.kafka, args.mongo, namespace)


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kafka", default="127.0.0.1:9092")
    parser.add_argument("--mongo", default="mongodb://127.0.0.1:27017/")
    parser.add_argument("--url", help="a running intake (else one is started)")
    parser.add_argument("--token", help="its bigdata (or admin) token, with --url")
    parser.add_argument("--batch", type=int, default=500, help="records per call")
    parser.add_argument("--calls", type=int, default=40, help="calls per client")
    parser.add_argument("--clients", type=lambda s: [int(x) for x in s.split(",")],
                        default=[1, 4], help="concurrency levels, e.g. 1,4")
    args = parser.parse_args()
    if args.url and not args.token:
        parser.error("--url needs --token")
    return args


if __name__ == "__main__":
    asyncio.run(main(parse()))
