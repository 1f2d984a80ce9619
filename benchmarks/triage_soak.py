"""Soak test: the triage worker killed (kill -9) again and again with input queued.

One fresh topic namespace. Each round produces a batch of records (new people plus second and
third records for people of earlier rounds, several feeds), makes sure the worker runs (start,
wait until /readyz), waits 0-3 s so it is mid-stream, kills it with SIGKILL, produces another
batch while it is down and restarts it. At the end the worker drains, the whole cases topic is
read and checked:

1. each person has exactly one distinct case_id across CaseOpened (a re-emitted ce_id is fine),
   and every CaseMerged/CaseReclassified of the person is on that case;
2. every produced record id is in the sources of some case event;
3. no undecodable event on the cases topic.

The namespace's topics (and only those) are deleted at the end.

    .venv/bin/python -m benchmarks.triage_soak --bootstrap 127.0.0.1:9092 --rounds 8
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from contracts.events import CaseMerged, CaseOpened, CaseReclassified, Exposure, Feed
from contracts.events import InputRejected as Rejected
from contracts.topics import REJECTED, registry
from tests.integration.triage.worker import (
    TopicReader,
    TriageWorker,
    create_topics,
    produce,
    topic_names,
)
from tests.unit.triage_service.builders import kafka_message, key_of, record

FEEDS = list(Feed)
MAX_RECORDS_PER_PERSON = 3


class Plan:
    """Which records were produced, for whom, and when."""

    def __init__(self, people: int, rounds: int, rng: random.Random) -> None:
        self.people, self.rng = people, rng
        self.per_batch = max(1, -(-people // (2 * rounds)))  # new people per batch
        self.next_person = 1
        self.records_of: dict[int, list[str]] = defaultdict(list)  # person -> record ids
        self.where: dict[str, str] = {}  # record id -> "round 3 live" / "round 3 down"

    def batch(self, label: str) -> list:
        chosen: list[int] = []
        new = min(self.per_batch, self.people - self.next_person + 1)
        chosen += range(self.next_person, self.next_person + new)
        self.next_person += new
        again = [p for p, rs in self.records_of.items()
                 if 0 < len(rs) < MAX_RECORDS_PER_PERSON and p not in chosen]
        chosen += self.rng.sample(again, min(len(again), max(self.per_batch, 1)))
        out = []
        for person in chosen:
            n = len(self.records_of[person])
            rid = f"soak-{person}-{n + 1}-{uuid.uuid4().hex[:6]}"
            exposure = (Exposure.CLOSE_CONTACT if n and self.rng.random() < 0.15
                        else Exposure.NONE)
            r = record(person, record_id=rid, feed=self.rng.choice(FEEDS), exposure=exposure)
            self.records_of[person].append(rid)
            self.where[rid] = label
            out.append((r, kafka_message(r)))
        self.rng.shuffle(out)  # one record per person per batch, so any order is fine
        return out

    @property
    def record_ids(self) -> set[str]:
        return {rid for rs in self.records_of.values() for rid in rs}


def sources_of(event) -> set[str]:
    return {s.record_id for s in event.sources}


def check(plan: Plan, envelopes) -> tuple[list[str], dict]:
    """Violations (as text lines) and counts."""
    person_of = {key_of(p): p for p in plan.records_of}
    opened_cases: dict[str, set[str]] = defaultdict(set)
    opened_ids: dict[str, set[str]] = defaultdict(set)
    other_cases: dict[str, set[str]] = defaultdict(set)
    seen_sources: set[str] = set()
    sequence: dict[str, list[str]] = defaultdict(list)
    kinds = {CaseOpened: "opened", CaseMerged: "merged", CaseReclassified: "reclassified"}
    for i, env in enumerate(envelopes):
        e = env.event
        kind = kinds.get(type(e), type(e).__name__)
        if isinstance(e, CaseOpened):
            opened_cases[e.person_key].add(e.case_id)
            opened_ids[e.person_key].add(env.id)
        elif isinstance(e, CaseMerged | CaseReclassified):
            other_cases[e.person_key].add(e.case_id)
        if isinstance(e, CaseOpened | CaseMerged | CaseReclassified):
            srcs = sources_of(e)
            seen_sources |= srcs
            extra = f" merged={e.merged.record_id}" if isinstance(e, CaseMerged) else ""
            sequence[e.person_key].append(
                f"#{i} {kind:<12} ce_id={env.id[:12]} case={e.case_id[:8]} "
                f"sources={sorted(srcs)}{extra}")
    violations: list[str] = []
    bad_people: set[str] = set()
    for key in sorted(set(person_of) | set(opened_cases)):
        person = person_of.get(key)
        cases = opened_cases.get(key, set())
        if len(cases) != 1:
            violations.append(f"person {key[:12]} (#{person}): {len(cases)} case ids from "
                              f"CaseOpened {sorted(c[:8] for c in cases)} "
                              f"({len(opened_ids[key])} distinct ce_ids)")
            bad_people.add(key)
        stray = other_cases.get(key, set()) - cases
        if stray:
            violations.append(f"person {key[:12]} (#{person}): merge/reclassify on case(s) "
                              f"{sorted(c[:8] for c in stray)} never opened for them")
            bad_people.add(key)
    lost = sorted(plan.record_ids - seen_sources)
    for rid in lost:
        person = int(rid.split("-")[1])
        violations.append(f"record {rid} ({plan.where[rid]}) of person {key_of(person)[:12]} "
                          f"(#{person}) is in no case event's sources")
        bad_people.add(key_of(person))
    details = {}
    for key in sorted(bad_people):
        person = person_of.get(key)
        produced = [f"{rid} ({plan.where[rid]})" for rid in plan.records_of.get(person, [])]
        details[key] = (person, produced, sequence.get(key, []))
    counts = {"persons": len(plan.records_of), "persons_with_case": len(opened_cases),
              "lost_records": len(lost)}
    return violations, {"counts": counts, "details": details}


async def delete_namespace_topics(bootstrap: str, namespace: str) -> list[str]:
    """Delete the topics whose name starts with this run's namespace (and nothing else)."""
    assert namespace.startswith("soak-") and len(namespace) > 10, namespace
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        mine = sorted(t for t in await admin.list_topics()
                      if t.startswith(namespace + ".") or t.startswith(namespace + "-"))
        if mine:
            await admin.delete_topics(mine)
        return mine
    finally:
        await admin.close()


async def drain(reader: TopicReader, plan: Plan, worker: TriageWorker,
                quiet: float, patience: float) -> None:
    """Poll until every record is in some event's sources, or nothing new came for `quiet`
    seconds (a lost record never shows up), or `patience` runs out."""
    wanted = plan.record_ids
    deadline = time.monotonic() + patience
    last_count, last_change = -1, time.monotonic()
    while time.monotonic() < deadline:
        worker.alive()
        await reader.poll()
        seen = set()
        for env in reader.envelopes:
            if isinstance(env.event, CaseOpened | CaseMerged | CaseReclassified):
                seen |= sources_of(env.event)
        if wanted <= seen:
            return
        if len(reader.envelopes) != last_count:
            last_count, last_change = len(reader.envelopes), time.monotonic()
        elif time.monotonic() - last_change > quiet:
            return


async def run(args: argparse.Namespace) -> int:
    rng = random.Random(args.seed)
    namespace = f"soak-{uuid.uuid4().hex[:10]}"
    workdir = Path(tempfile.mkdtemp(prefix=f"triage-{namespace}-"))
    partitions = await create_topics(args.bootstrap, namespace)
    records_topic, cases_topic = topic_names(namespace)
    rejected_topic = registry(namespace).name(REJECTED)
    print(f"namespace {namespace}: {records_topic} ({partitions} partitions), seed {args.seed}, "
          f"worker log {workdir / 'worker.log'}", flush=True)
    plan = Plan(args.people, args.rounds, rng)
    worker = TriageWorker(args.bootstrap, namespace, workdir, extra_env={
        "TRIAGE_LOG_LEVEL": args.log_level})
    started = time.monotonic()
    code = 1
    try:
        async with TopicReader(args.bootstrap, cases_topic) as cases:
            for rnd in range(1, args.rounds + 1):
                if worker.proc is None or worker.proc.poll() is not None:
                    worker.start()
                await worker.ready()
                live = plan.batch(f"round {rnd} live")
                await produce(args.bootstrap, records_topic, live)
                pause = rng.uniform(0, args.max_pause)
                await asyncio.sleep(pause)
                await cases.poll()
                worker.kill()
                down = plan.batch(f"round {rnd} down")
                await produce(args.bootstrap, records_topic, down)
                print(f"round {rnd}: {len(live)} records live, killed after {pause:.2f}s "
                      f"({len(cases.envelopes)} case events so far), {len(down)} records "
                      f"while down", flush=True)
                worker.start()
            await worker.ready()
            await drain(cases, plan, worker, args.quiet, args.drain_timeout)
            envelopes = list(cases.envelopes)
            undecodable = cases.undecodable
        rejected = 0
        async with TopicReader(args.bootstrap, rejected_topic) as rej:
            await rej.poll()
            await rej.poll()
            rejected = sum(isinstance(e.event, Rejected) for e in rej.envelopes)
        stopped = worker.stop()

        violations, info = check(plan, envelopes)
        if undecodable:
            violations.append(f"{undecodable} undecodable event(s) on {cases_topic}")
        counts = info["counts"]
        print(f"SUMMARY rounds={args.rounds} records={len(plan.record_ids)} "
              f"persons={counts['persons']} persons_with_case={counts['persons_with_case']} "
              f"case_events={len(envelopes)} undecodable={undecodable} rejected={rejected} "
              f"lost_records={counts['lost_records']} violations={len(violations)} "
              f"worker_exit={stopped} elapsed={time.monotonic() - started:.0f}s", flush=True)
        for line in violations:
            print(f"VIOLATION {line}")
        for key, (person, produced, sequence) in info["details"].items():
            print(f"-- person {key[:12]} (#{person}) produced: {produced}")
            for line in sequence:
                print(f"     {line}")
        code = 1 if violations else 0
    finally:
        worker.kill()
        deleted = await delete_namespace_topics(args.bootstrap, namespace)
        print(f"deleted {len(deleted)} topic(s) of {namespace}")
        if code == 0 and not args.keep_log:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"worker log kept: {workdir / 'worker.log'}")
    return code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", default=os.environ.get("PAICHA_TEST_KAFKA",
                                                              "127.0.0.1:9092"))
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--max-pause", type=float, default=3.0,
                        help="kill after a random 0..N s once the live batch is produced")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--quiet", type=float, default=20.0,
                        help="drain ends after this many seconds without a new case event")
    parser.add_argument("--drain-timeout", type=float, default=180.0)
    parser.add_argument("--log-level", default="info")
    parser.add_argument("--keep-log", action="store_true")
    args = parser.parse_args()
    if args.seed is None:
        args.seed = random.randrange(1_000_000)
    raise SystemExit(asyncio.run(run(args)))


if __name__ == "__main__":
    main()
