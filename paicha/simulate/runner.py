"""Push simulated feed traffic to intake at a steady rate, with a progress bar and a summary."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from paicha.simulate.people import SHANGHAI, RecordFactory, spoil

FEEDS = ("bigdata", "assist", "selfreport", "screening", "contacts")


# Designations the simulator publishes first, so arrivals fall into every risk level:
# (area code, name, level, days before now the designation took effect).
DESIGNATIONS = (
    ("110105", "北京市朝阳区", "medium", 5),
    ("110105001", "北京市朝阳区某街道", "high", 4),
    ("310115", "上海市浦东新区", "high", 6),
    ("440305", "深圳市南山区", "medium", 3),
    ("150102", "呼和浩特市新城区", "low", 6),
)


@dataclass(frozen=True)
class Plan:
    intake_url: str
    token: str
    triage_url: str | None = None  # where to PUT the designations above; None: skip
    rate: float = 20.0  # records per second, all feeds together
    duration_s: float | None = 60.0  # None: until interrupted
    feeds: tuple[str, ...] = FEEDS
    invalid_share: float = 0.05
    duplicate_share: float = 0.05
    abroad_share: float = 0.03
    batch_interval_s: float = 1.0
    seed: int | None = None


@dataclass
class Tally:
    sent: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    failed_calls: int = 0
    reasons: Counter[str] = field(default_factory=Counter)


async def run(plan: Plan, console: Console | None = None, show_progress: bool = True) -> Tally:
    """Send a batch per feed every `batch_interval_s` until the duration is over."""
    rng = random.Random(plan.seed)
    factory = RecordFactory(rng, abroad_share=plan.abroad_share)
    sent_before: dict[str, list[dict]] = {feed: [] for feed in plan.feeds}
    tally = Tally()
    total = int(plan.rate * plan.duration_s) if plan.duration_s else None
    started = time.monotonic()
    columns = (
        TextColumn("simulating"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[summary]}"),
    )
    headers = {"Authorization": f"Bearer {plan.token}"}
    if plan.triage_url:
        await designate(plan.triage_url, datetime.now(SHANGHAI), plan.token)
    async with httpx.AsyncClient(base_url=plan.intake_url, headers=headers, timeout=30) as client:
        with Progress(*columns, console=console, disable=not show_progress) as progress:
            task = progress.add_task("sim", total=total, summary="")
            carry = 0.0
            while plan.duration_s is None or time.monotonic() - started < plan.duration_s:
                tick = time.monotonic()
                carry += plan.rate * plan.batch_interval_s
                count, carry = int(carry), carry - int(carry)
                batches: dict[str, list[dict]] = {feed: [] for feed in plan.feeds}
                now = datetime.now(SHANGHAI)
                for _ in range(count):
                    feed = rng.choice(plan.feeds)
                    roll = rng.random()
                    if roll < plan.duplicate_share and sent_before[feed]:
                        record = rng.choice(sent_before[feed])
                    else:
                        record = factory.record(feed, now)
                        if roll < plan.duplicate_share + plan.invalid_share:
                            record = spoil(record, rng)
                        else:
                            sent_before[feed] = (sent_before[feed] + [record])[-500:]
                    batches[feed].append(record)
                await asyncio.gather(
                    *(_push(client, feed, recs, tally) for feed, recs in batches.items() if recs)
                )
                progress.update(
                    task,
                    completed=tally.sent,
                    summary=(
                        f"accepted {tally.accepted} · duplicates {tally.duplicates} · "
                        f"rejected {tally.rejected} · failed calls {tally.failed_calls}"
                    ),
                )
                await asyncio.sleep(max(0.0, plan.batch_interval_s - (time.monotonic() - tick)))
    return tally


async def designate(triage_url: str, now: datetime, token: str) -> int:
    """PUT the simulator's designations to triage: the same notice ids and times all day long,
    so a restarted simulator repeats them (idempotent) rather than correcting them. The token
    needs triage's risk-area admin scope (the local stack's admin token has it)."""
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    done = 0
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=triage_url, headers=headers, timeout=10) as client:
        for code, name, level, days in DESIGNATIONS:
            body = {
                "level": level,
                "area_name": name,
                "notice_id": f"SIM-{now:%Y%m%d}-{code}",
                "effective_from": (midnight - timedelta(days=days)).isoformat(),
            }
            try:
                response = await client.put(f"/v1/risk-areas/{code}", json=body)
                done += response.status_code == 202
            except httpx.HTTPError:
                pass
    return done


async def _push(client: httpx.AsyncClient, feed: str, records: list[dict], tally: Tally) -> None:
    tally.sent += len(records)
    try:
        response = await client.post(f"/v1/feeds/{feed}/records", json={"records": records})
    except httpx.HTTPError:
        tally.failed_calls += 1
        return
    if response.status_code != 202:
        tally.failed_calls += 1
        return
    body = response.json()
    tally.accepted += int(body.get("accepted", 0))
    tally.duplicates += int(body.get("duplicates", 0))
    tally.rejected += int(body.get("rejected", 0))
    for error in body.get("errors", []):
        tally.reasons[str(error.get("reason", "?"))] += 1
