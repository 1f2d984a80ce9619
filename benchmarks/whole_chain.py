"""Benchmark (not a test): the whole chain — HTTP push to intake → triage (cases) → tasking
(tasks assigned) → reporting (counted) — against the ceiling of four bare aiokafka relay hops on
the same broker, in one run. `make bench` runs it.

By default it starts its OWN private stack (`paicha up --no-simulator` with
PAICHA_STACK_NAME=bench-<random> and free ports: Kafka, PostgreSQL, FerretDB, the four services,
the demo grid directory) and removes it afterwards (`paicha down --wipe`); `--running` measures
the stack named by the PAICHA_STACK_* environment instead (the default one: `make up`) and
leaves it running. What it measures:

(a) throughput: N records (all five feeds, batches of 200, one client per feed, as fast as intake
    answers), from the first push until reporting has counted every one of them (its
    TaskAssigned consumed, nothing left on its topics, the day's report counting the records);
    the time each stage finished its N (intake accepted, triage opened, tasking assigned) is read
    from the services' /metrics, polled every 0.5 s;
(b) latency at a fixed offered rate (500 records/s for S seconds): per record, from its push call
    returning (202) to its TaskAssigned arriving on the tasks topic, read with aiokafka by this
    process. Primary figure on ONE clock: `time.monotonic()` of this process at both ends (so the
    consumer's poll delay, ≤ 0.1 s, is included). Secondary: the event's own CloudEvent `time`
    (tasking's wall clock when it made the event, same machine) minus the wall-clock time the
    push returned; and push → CaseOpened (triage) the same way as the primary;
(c) the same two figures for four bare aiokafka relay hops (benchmarks/relay_ceiling.py);
(d) peak RSS (VmHWM, and the highest VmRSS sampled each second during the load) of the four
    service processes, from their pid files.

Prints a table (rich) and writes JSON (default .bench/whole_chain.json, ignored by git).

    python benchmarks/whole_chain.py [--records 2000] [--rate 500 --seconds 6] [--running]
        [--profile DIR]   # py-spy every service during (a) (py-spy is in the dev extras)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import platform
import random
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from aiokafka import AIOKafkaConsumer  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from benchmarks.relay_ceiling import (  # noqa: E402
    latency_at_rate,
    latency_summary,
    paced,
    throughput,
)
from contracts import events as ev  # noqa: E402
from contracts.envelope import decode_envelope  # noqa: E402
from contracts.values import check_digit  # noqa: E402
from paicha.simulate.people import SHANGHAI, RecordFactory  # noqa: E402
from paicha.simulate.runner import FEEDS, designate  # noqa: E402
from paicha.stack.config import StackSettings  # noqa: E402
from paicha.stack.errors import free_port  # noqa: E402
from paicha.stack.local import ensure_local_secrets, services  # noqa: E402

console = Console(width=None if sys.stdout.isatty() else 110)
SERVICES = ("intake", "triage", "tasking", "reporting")
TASKS_TOPIC = ev.TaskAssigned.topic
CASES_TOPIC = ev.CaseOpened.topic
# Counters read from each service's /metrics: the stage has "done" N once its delta reaches N.
STAGE_METRICS = {
    "intake": "paicha_intake_records_accepted_total",
    "triage": "paicha_triage_cases_opened_total",
    "tasking": "paicha_tasking_tasks_assigned_total",
}
TASK_ASSIGNED = ev.TaskAssigned.ce_type


# ---- pure helpers (unit-tested) ---------------------------------------------------------------

def metric_sum(text: str, name: str, **labels: str) -> float:
    """Sum of a Prometheus text exposition's samples of ``name`` whose labels include
    ``labels``."""
    total = 0.0
    for line in text.splitlines():
        if not (line.startswith(name + "{") or line.startswith(name + " ")):
            continue
        head, _, value = line.rpartition(" ")
        if all(f'{k}="{v}"' in head for k, v in labels.items()):
            total += float(value)
    return total


def unique_id_number(n: int, area: str = "130826") -> str:
    """A valid 18-digit ID number, different for every n below 20,000,000 (birth date from
    n // 1000, serial n % 1000): no two benchmark people share a case by accident."""
    born = date(1950, 1, 1) + timedelta(days=(n // 1000) % 20000)
    first17 = f"{area}{born:%Y%m%d}{n % 1000:03d}"
    return first17 + check_digit(first17)


def make_records(count: int, first: int, run: str, seed: int = 7) -> list[tuple[str, dict]]:
    """``count`` simulator records (feed, record) spread over the five feeds, each a new
    person: the simulator's realistic fields, a unique ID number and source record id."""
    factory = RecordFactory(random.Random(seed + first))
    now = datetime.now(SHANGHAI)
    out = []
    for i in range(count):
        feed = FEEDS[i % len(FEEDS)]
        record = factory.record(feed, now)
        record["id_number"] = unique_id_number(first + i)
        record["source_record_id"] = f"{run}-{first + i}"
        out.append((feed, record))
    return out


def fmt_rate(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}/s"


def fmt_s(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def ratio(a: float | None, b: float | None) -> str:
    return "-" if not a or not b else f"{a / b:.1%}"


def times(a: float | None, b: float | None) -> str:
    """How many times ``b`` ``a`` is (a latency against the ceiling's)."""
    return "-" if not a or not b else f"{a / b:,.0f}× as long"


def results_table(result: dict[str, Any]) -> Table:
    """The headline table: chain vs ceiling, then the per-stage and RSS figures."""
    chain, ceil = result["chain"], result["ceiling"]
    table = Table(title="paicha whole chain vs. 4 bare aiokafka hops (same broker)")
    table.add_column("figure")
    table.add_column("paicha chain", justify="right")
    table.add_column("relay ceiling", justify="right")
    table.add_column("chain / ceiling", justify="right")
    tp, ctp = chain["throughput"]["per_second"], ceil["throughput"]["per_second"]
    table.add_row("(a) records/s, push → counted in reporting", fmt_rate(tp),
                  fmt_rate(ctp), ratio(tp, ctp))
    lat, clat = chain["latency"], ceil["latency"]
    offered = lat["offered_per_second"]
    for q in ("p50_s", "p99_s"):
        table.add_row(f"(b) {q[:3]} push → TaskAssigned at {offered:.0f}/s",
                      fmt_s(lat["task"][q]), fmt_s(clat[q]), times(lat["task"][q], clat[q]))
    table.add_section()
    for stage, per_s in chain["throughput"]["stages_per_second"].items():
        table.add_row(f"  (a) {stage} done with all, as a rate", fmt_rate(per_s), "", "")
    table.add_row("  push → CaseOpened p50 / p99", f"{fmt_s(lat['case']['p50_s'])} / "
                  f"{fmt_s(lat['case']['p99_s'])}", "", "")
    table.add_row("  push → TaskAssigned by event time p50 / p99",
                  f"{fmt_s(lat['task_event_time']['p50_s'])} / "
                  f"{fmt_s(lat['task_event_time']['p99_s'])}", "", "")
    table.add_row(f"  (b) pushed / assigned; push took (offered {lat['seconds']:.0f} s)",
                  f"{lat['pushed']} / {lat['assigned']}; {lat['push_seconds']:.0f} s", "", "")
    table.add_section()
    for name, rss in result["rss_mb"].items():
        table.add_row(f"(d) peak RSS {name} (VmHWM / max sampled)",
                      f"{rss['vmhwm']:.0f} / {rss['sampled_max']:.0f} MB", "", "")
    return table


# ---- the stack ----------------------------------------------------------------------------------

def private_stack_env() -> dict[str, str]:
    names = ("KAFKA", "KAFKA_CONTROLLER", "MONGO", "POSTGRES", *(s.upper() for s in SERVICES))
    env = {f"PAICHA_STACK_{n}_PORT": str(free_port()) for n in names}
    env["PAICHA_STACK_NAME"] = f"bench-{uuid.uuid4().hex[:6]}"
    return env


def paicha(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "paicha", *args], cwd=ROOT, text=True,
                          capture_output=True, env={**os.environ, **env, "COLUMNS": "200"},
                          timeout=600)


def settings_from(env: dict[str, str]) -> StackSettings:
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        return StackSettings()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def service_pids(settings: StackSettings) -> dict[str, int]:
    pids = {}
    for service in services(settings):
        pid = service.process.pid()
        if pid is not None:
            pids[service.spec.name] = pid
    return pids


def proc_status_mb(pid: int, field_name: str) -> float:
    """VmHWM / VmRSS of a process, in MB (kB / 1024)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1]) / 1024
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0.0


@dataclass
class RssSampler:
    pids: dict[str, int]
    peak: dict[str, float] = field(default_factory=dict)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            for name, pid in self.pids.items():
                self.peak[name] = max(self.peak.get(name, 0.0), proc_status_mb(pid, "VmRSS"))
            try:
                await asyncio.wait_for(stop.wait(), 1.0)
            except TimeoutError:
                pass


# ---- the chain ----------------------------------------------------------------------------------

@dataclass
class Seen:
    """What the benchmark's own consumer saw on the cases and tasks topics, by record."""
    case_at: dict[tuple[str, str], float] = field(default_factory=dict)
    task_at: dict[tuple[str, str], float] = field(default_factory=dict)
    task_event_time: dict[tuple[str, str], float] = field(default_factory=dict)


async def watch_topics(bootstrap: str, seen: Seen, ready: asyncio.Event,
                       stop: asyncio.Event) -> None:
    """Read the cases and tasks topics from their current ends (no group: every partition)."""
    consumer = AIOKafkaConsumer(CASES_TOPIC, TASKS_TOPIC, bootstrap_servers=bootstrap,
                                enable_auto_commit=False, auto_offset_reset="latest")
    await consumer.start()
    try:
        for _ in range(100):
            parts = consumer.assignment()
            if {tp.topic for tp in parts} == {CASES_TOPIC, TASKS_TOPIC}:
                break
            await asyncio.sleep(0.1)
        else:
            raise RuntimeError("no partitions of the cases/tasks topics: is the stack running?")
        await consumer.seek_to_end(*parts)
        for tp in parts:
            await consumer.position(tp)
        ready.set()
        while not stop.is_set():
            batches = await consumer.getmany(timeout_ms=100, max_records=5000)
            now = time.monotonic()
            for messages in batches.values():
                for m in messages:
                    headers = dict(m.headers or [])
                    ce_type = headers.get("ce_type", b"").decode()
                    if ce_type not in (TASK_ASSIGNED, ev.CaseOpened.ce_type):
                        continue
                    envelope = decode_envelope(m.headers or [], m.value or b"", m.key)
                    event = envelope.event
                    for source in getattr(event, "sources", []):
                        key = (source.feed.value, source.source_record_id)
                        if isinstance(event, ev.TaskAssigned):
                            seen.task_at.setdefault(key, now)
                            if envelope.time is not None:
                                seen.task_event_time.setdefault(key, envelope.time.timestamp())
                        else:
                            seen.case_at.setdefault(key, now)
    finally:
        await consumer.stop()


@dataclass
class Chain:
    settings: StackSettings
    token: str
    urls: dict[str, str]
    client: httpx.AsyncClient
    seen: Seen
    pushed_at: dict[tuple[str, str], float] = field(default_factory=dict)
    pushed_wall: dict[tuple[str, str], float] = field(default_factory=dict)
    failed_calls: int = 0
    next_person: int = field(default_factory=lambda: random.randrange(0, 15_000_000))
    run: str = field(default_factory=lambda: f"bench-{uuid.uuid4().hex[:8]}")
    watcher: asyncio.Task[None] | None = None

    def records(self, count: int) -> list[tuple[str, dict]]:
        made = make_records(count, self.next_person, self.run)
        self.next_person += count
        return made

    async def push(self, feed: str, records: list[dict]) -> None:
        try:
            response = await self.client.post(
                f"{self.urls['intake']}/v1/feeds/{feed}/records", json={"records": records},
                headers={"Authorization": f"Bearer {self.token}"})
        except httpx.HTTPError:
            self.failed_calls += 1
            return
        now, wall = time.monotonic(), time.time()
        if response.status_code != 202 or response.json().get("accepted") != len(records):
            self.failed_calls += 1
            console.print(f"[yellow]push: {response.status_code} {response.text[:300]}")
        for record in records:
            key = (feed, record["source_record_id"])
            self.pushed_at[key] = now
            self.pushed_wall[key] = wall

    async def counters(self) -> dict[str, float]:
        """Each stage's counter, and reporting's: TaskAssigned consumed, lag, records counted."""
        out: dict[str, float] = {}
        for name, metric in STAGE_METRICS.items():
            text = (await self.client.get(f"{self.urls[name]}/metrics")).text
            out[name] = metric_sum(text, metric)
        text = (await self.client.get(f"{self.urls['reporting']}/metrics")).text
        out["reporting"] = metric_sum(text, "paicha_reporting_events_consumed_total",
                                      type=TASK_ASSIGNED)
        out["reporting_lag"] = metric_sum(text, "paicha_reporting_consumer_lag")
        report = (await self.client.get(f"{self.urls['reporting']}/v1/reports/daily")).json()
        out["report_pushed"] = float(report["cumulative"]["pushed"])
        return out


async def throughput_phase(chain: Chain, count: int, batch: int,
                           profile: Callable[[], None] | None) -> dict[str, Any]:
    """(a): push ``count`` records as fast as intake answers, wait until reporting counted all."""
    records = chain.records(count)
    by_feed: dict[str, list[dict]] = {feed: [] for feed in FEEDS}
    for feed, record in records:
        by_feed[feed].append(record)
    before = await chain.counters()
    done: dict[str, float] = {}

    async def client(feed: str) -> None:
        mine = by_feed[feed]
        for i in range(0, len(mine), batch):
            await chain.push(feed, mine[i:i + batch])

    started = time.monotonic()
    if profile:
        profile()
    pushing = asyncio.gather(*(client(feed) for feed in FEEDS))
    deadline = started + 420
    while time.monotonic() < deadline:
        await asyncio.sleep(0.5)
        now = await chain.counters()
        for stage in SERVICES:
            if stage not in done and now[stage] - before[stage] >= count:
                done[stage] = time.monotonic() - started
        if ("reporting" in done and now["reporting_lag"] == 0
                and now["report_pushed"] - before["report_pushed"] >= count):
            break
    else:
        console.print(f"[red]timeout: not all {count} records counted: {now} (before {before})")
    elapsed = time.monotonic() - started
    await pushing
    complete = len(done) == len(SERVICES)
    return {
        "records": count, "batch": batch, "clients": len(FEEDS), "seconds": round(elapsed, 2),
        "per_second": round(count / elapsed, 1) if complete else None,
        "stage_done_after_s": {k: round(v, 2) for k, v in done.items()},
        "stages_per_second": {k: round(count / v, 1) for k, v in done.items()},
        "failed_calls": chain.failed_calls,
    }


async def latency_phase(chain: Chain, rate: float, seconds: float,
                        timeout_s: float) -> dict[str, Any]:
    """(b): offer ``rate`` records/s for ``seconds`` (a tick's records split over the feeds),
    then wait for every TaskAssigned (at most ``timeout_s``)."""
    count = int(rate * seconds)
    records = chain.records(count)
    tick_s = 0.2
    per_tick = max(1, int(rate * tick_s))
    ticks = [records[i:i + per_tick] for i in range(0, count, per_tick)]

    async def send_tick(i: int) -> None:
        by_feed: dict[str, list[dict]] = {}
        for feed, record in ticks[i]:
            by_feed.setdefault(feed, []).append(record)
        await asyncio.gather(*(chain.push(feed, recs) for feed, recs in by_feed.items()))

    started = time.monotonic()
    sends = await paced(len(ticks), 1 / tick_s, send_tick, tick_s=tick_s / 2)
    await asyncio.gather(*sends)
    push_s = time.monotonic() - started
    keys = [(feed, r["source_record_id"]) for feed, r in records]
    while time.monotonic() - started < timeout_s:
        if all(k in chain.seen.task_at for k in keys):
            break
        if chain.watcher is not None and chain.watcher.done():
            chain.watcher.result()  # raises what stopped the reader
        await asyncio.sleep(0.5)
    task = [chain.seen.task_at[k] - chain.pushed_at[k] for k in keys
            if k in chain.seen.task_at and k in chain.pushed_at]
    case = [chain.seen.case_at[k] - chain.pushed_at[k] for k in keys
            if k in chain.seen.case_at and k in chain.pushed_at]
    by_event = [chain.seen.task_event_time[k] - chain.pushed_wall[k] for k in keys
                if k in chain.seen.task_event_time and k in chain.pushed_wall]
    return {
        "offered_per_second": rate, "seconds": seconds, "pushed": len(
            [k for k in keys if k in chain.pushed_at]),
        "push_seconds": round(push_s, 2), "assigned": len(task),
        "task": latency_summary(task), "case": latency_summary(case),
        "task_event_time": latency_summary(by_event),
        "waited_s": round(time.monotonic() - started, 1),
    }


def start_profiles(pids: dict[str, int], out: Path, seconds: int) -> Callable[[], None]:
    """A function that starts `py-spy record` (raw collapsed stacks + SVG) on every service."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    out.mkdir(parents=True, exist_ok=True)
    procs: list[subprocess.Popen[bytes]] = []

    def start() -> None:
        for name, pid in pids.items():
            for fmt, ext in (("raw", "txt"), ):
                procs.append(subprocess.Popen(
                    [spy, "record", "--pid", str(pid), "--duration", str(seconds), "--rate",
                     "50", "--format", fmt, "--output", str(out / f"{name}.{ext}"),
                     "--nonblocking"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    start.procs = procs  # type: ignore[attr-defined]
    return start


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Start the private stack (unless told to use a running one), measure, remove it."""
    env: dict[str, str] = {}
    if args.stack_env:
        env = json.loads(Path(args.stack_env).read_text())
    elif not args.running:
        env = private_stack_env()
        env_file = Path(args.out).parent / f"{env['PAICHA_STACK_NAME']}.env.json"
        env_file.parent.mkdir(parents=True, exist_ok=True)
        env_file.write_text(json.dumps(env))  # --stack-env for a --keep'd stack
        console.print(f"starting a private stack {env['PAICHA_STACK_NAME']} "
                      "(paicha up --no-simulator) …")
        started = time.monotonic()
        up = paicha(env, "up", "--no-simulator")
        if up.returncode != 0:
            raise SystemExit(f"paicha up failed:\n{up.stdout}\n{up.stderr}")
        console.print(f"… up in {time.monotonic() - started:.0f} s")
    settings = settings_from(env)
    try:
        return asyncio.run(measure(args, settings))
    finally:
        if not args.running and not args.stack_env and not args.keep:
            down = paicha(env, "down", "--wipe")
            console.print(down.stdout.strip())


async def measure(args: argparse.Namespace, settings: StackSettings) -> dict[str, Any]:
    urls = {s.spec.name: s.url for s in services(settings)}
    token = ensure_local_secrets(settings).admin_token
    pids = service_pids(settings)
    if set(pids) != set(SERVICES):
        raise SystemExit(f"services not running: {sorted(set(SERVICES) - set(pids))}")
    result: dict[str, Any] = {"machine": machine(), "stack": settings.name, "args": vars(args)}
    seen, ready, stop = Seen(), asyncio.Event(), asyncio.Event()
    watcher = asyncio.create_task(watch_topics(settings.kafka_bootstrap, seen, ready, stop))
    sampler_stop = asyncio.Event()
    sampler = RssSampler(pids)
    sampling = asyncio.create_task(sampler.run(sampler_stop))
    limits = httpx.Limits(max_connections=64)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        waiting = asyncio.create_task(ready.wait())
        await asyncio.wait([waiting, watcher], timeout=60, return_when=asyncio.FIRST_COMPLETED)
        if watcher.done():
            watcher.result()  # raises what stopped it
        if not ready.is_set():
            raise SystemExit("the benchmark's reader of the cases/tasks topics did not start")
        chain = Chain(settings, token, urls, client, seen, watcher=watcher)
        designated = await designate(urls["triage"], datetime.now(SHANGHAI), token)
        console.print(f"{designated} risk-area designations; warm-up …")
        await throughput_phase(chain, 250, 50, None)  # connections, topics, JIT-free caches
        profile = (start_profiles(pids, Path(args.profile), args.profile_seconds)
                   if args.profile else None)
        console.print(f"(a) throughput: {args.records} records …")
        tp = await throughput_phase(chain, args.records, args.batch, profile)
        console.print(f"    {tp}")
        console.print(f"(b) latency at {args.rate:.0f} records/s for {args.seconds:.0f} s …")
        lat = await latency_phase(chain, args.rate, args.seconds, args.latency_timeout)
        console.print(f"    {lat}")
        result["chain"] = {"throughput": tp, "latency": lat}
    sampler_stop.set()
    await sampling
    stop.set()
    await watcher
    result["rss_mb"] = {name: {"vmhwm": round(proc_status_mb(pid, "VmHWM"), 1),
                               "sampled_max": round(sampler.peak.get(name, 0.0), 1)}
                        for name, pid in pids.items()}
    console.print("(c) ceiling: 4 bare aiokafka relay hops on the same broker …")
    say: Callable[[str], Any] = lambda msg: console.print(f"    {msg}")  # noqa: E731
    ceiling_tp = await throughput(settings.kafka_bootstrap, args.relay_records, say=say)
    ceiling_lat = await latency_at_rate(settings.kafka_bootstrap, args.rate, args.seconds,
                                        say=say)
    result["ceiling"] = {"throughput": ceiling_tp, "latency": ceiling_lat}
    if profile is not None:
        for proc in profile.procs:  # type: ignore[attr-defined]
            proc.wait(timeout=60)
    return result


def machine() -> dict[str, Any]:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
    return {"nproc": os.cpu_count(), "cpu": cpu, "mem_gb": round(int(mem) / 1024 / 1024, 1),
            "loadavg_start": os.getloadavg(), "python": platform.python_version(),
            "when": datetime.now().astimezone().isoformat(timespec="seconds")}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--running", action="store_true",
                        help="measure the stack of the PAICHA_STACK_* environment (default: "
                        "start and remove a private one); its simulators must be stopped, "
                        "or their records are counted too")
    parser.add_argument("--keep", action="store_true", help="leave the private stack running "
                        "(its PAICHA_STACK_* settings are in .bench/<name>.env.json)")
    parser.add_argument("--stack-env", help="JSON file of PAICHA_STACK_* settings of a running "
                        "stack to measure (e.g. one left by --keep)")
    parser.add_argument("--records", type=int, default=2000, help="records for (a)")
    parser.add_argument("--batch", type=int, default=200, help="records per push call in (a)")
    parser.add_argument("--rate", type=float, default=500.0, help="offered records/s for (b)")
    parser.add_argument("--seconds", type=float, default=6.0, help="how long (b) offers it")
    parser.add_argument("--latency-timeout", type=float, default=400.0,
                        help="(b) waits at most this long for the last TaskAssigned")
    parser.add_argument("--relay-records", type=int, default=20000)
    parser.add_argument("--out", default=str(ROOT / ".bench" / "whole_chain.json"))
    parser.add_argument("--profile", help="directory for py-spy profiles taken during (a)")
    parser.add_argument("--profile-seconds", type=int, default=40)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)  # metadata noise on new topics
    result = run(args)
    result["machine"]["loadavg_end"] = os.getloadavg()
    console.print(results_table(result))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    console.print(f"written {out}")


if __name__ == "__main__":
    main()
