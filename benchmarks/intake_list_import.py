"""Benchmark (not a test): a 2022-style list (title row, places by name, no 排查单位 column)
uploaded to intake, as `paicha import FILE --set 排查单位=…` would: rows, accepted, rejected by
reason, seconds, and where the time went (reading the file is timed here; validation, claim,
publish and mark from intake's /metrics).

    python benchmarks/intake_list_import.py --kafka 127.0.0.1:9092 --mongo mongodb://127.0.0.1:27017/
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import date
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from intake_push import STAGES, cleanup, metrics  # noqa: E402

from paicha.stack.errors import free_port  # noqa: E402
from services.intake.adapters.files import read_table  # noqa: E402
from services.intake.auth import hash_token, new_token  # noqa: E402
from tests.unit.intake.builders import list_2022  # noqa: E402


def start_intake(kafka: str, mongo: str, namespace: str
                 ) -> tuple[subprocess.Popen[bytes], str, str]:
    token, port = new_token("screening"), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTAKE_")}
    env.update({
        "INTAKE_KAFKA__BOOTSTRAP": kafka, "INTAKE_KAFKA__TOPIC_NAMESPACE": namespace,
        "INTAKE_MONGO__URL": mongo, "INTAKE_MONGO__DATABASE": namespace.replace("-", "_"),
        "INTAKE_HTTP__PORT": str(port), "INTAKE_ENVIRONMENT": "test",
        "INTAKE_PERSON_KEY_SECRET": uuid.uuid4().hex, "INTAKE_LOG_LEVEL": "WARNING",
        "INTAKE_FEED_TOKENS__SCREENING": hash_token(token), "INTAKE_CONSUME_RAW": "false",
        "INTAKE_DEFAULT_COUNTY_CODE": "130826",
    })
    process = subprocess.Popen([sys.executable, "-m", "services.intake"], cwd=ROOT, env=env)
    return process, f"http://127.0.0.1:{port}", token


async def main(args: argparse.Namespace) -> None:
    namespace = f"bench-list-{uuid.uuid4().hex[:8]}"
    process, url, token = start_intake(args.kafka, args.mongo, namespace)
    special = {3 + 100: "朝阳区", 3 + 500: "测试市测试区"}
    try:
        async with httpx.AsyncClient(base_url=url, timeout=600) as client:
            for _ in range(300):
                try:
                    if (await client.get("/readyz")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.2)
            for run, rows in enumerate(args.rows):
                data, _ = list_2022(rows, date(1960 + run, 1, 1), special)
                read_started = time.perf_counter()
                read_table(data, "list.xlsx")
                read_s = time.perf_counter() - read_started
                before = await metrics(client)
                started = time.perf_counter()
                response = await client.post(
                    "/v1/feeds/screening/files", files={"file": ("返丰人员.xlsx", data)},
                    data={"set": ["排查单位=大阁镇排查组"]},
                    headers={"Authorization": f"Bearer {token}"})
                seconds = time.perf_counter() - started
                assert response.status_code == 202, response.text[:500]
                body = response.json()
                after = await metrics(client)
                stage = {s: after.get(("paicha_intake_stage_seconds_sum", f'stage="{s}"'), 0)
                         - before.get(("paicha_intake_stage_seconds_sum", f'stage="{s}"'), 0)
                         for s in STAGES}
                reasons = dict(Counter(e["reason"] for e in body["errors"]))
                print(f"{body['file']['rows']} rows ({len(data) / 1024:.0f} KiB XLSX): "
                      f"{body['accepted']} accepted, {body['rejected']} rejected {reasons}, "
                      f"{body['duplicates']} duplicates in {seconds:.2f} s "
                      f"({body['file']['rows'] / seconds:,.0f} rows/s)")
                print(f"  reading the XLSX (openpyxl, measured here) {read_s:.2f} s; "
                      + ", ".join(f"{s} {v:.2f} s" for s, v in stage.items()))
    finally:
        process.terminate()
        process.wait(30)
        await cleanup(args.kafka, args.mongo, namespace)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kafka", default="127.0.0.1:9092")
    parser.add_argument("--mongo", default="mongodb://127.0.0.1:27017/")
    parser.add_argument("--rows", type=lambda s: [int(x) for x in s.split(",")],
                        default=[1000, 10000], help="list sizes, e.g. 1000,10000")
    asyncio.run(main(parser.parse_args()))
