"""`paicha simulate`: push synthetic feed traffic to intake and print what intake answered."""

from __future__ import annotations

import asyncio
import os
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from paicha.simulate.runner import FEEDS, Plan, run

console = Console()


def simulate(
    rate: Annotated[float, typer.Option(help="Records per second, all feeds together.")] = 20.0,
    duration: Annotated[float, typer.Option(help="Seconds to run; 0 runs until Ctrl-C.")] = 60.0,
    feeds: Annotated[str, typer.Option(help="Comma-separated feeds.")] = ",".join(FEEDS),
    invalid: Annotated[float, typer.Option(help="Share of invalid records (0–1).")] = 0.05,
    duplicate: Annotated[float, typer.Option(help="Share of re-sent records (0–1).")] = 0.05,
    intake_url: Annotated[str, typer.Option(envvar="PAICHA_INTAKE_URL")] = "http://127.0.0.1:8001",
    triage_url: Annotated[
        str | None,
        typer.Option(
            envvar="PAICHA_TRIAGE_URL", help="Publish demo risk-area designations here first."
        ),
    ] = "http://127.0.0.1:8002",
    token: Annotated[
        str | None,
        typer.Option(
            envvar="PAICHA_INTAKE_TOKEN", help="Admin (or single-feed) token; `paicha up` sets one."
        ),
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed, for a repeatable run.")] = None,
    progress: Annotated[bool, typer.Option(help="Show the progress bar.")] = True,
    instance: Annotated[
        str | None,
        typer.Option(hidden=True, help="Set by `paicha up` so it can find this process again."),
    ] = None,
) -> None:
    """Simulate the five feeds pushing records (with some invalid and duplicate ones)."""
    chosen = tuple(f.strip() for f in feeds.split(",") if f.strip())
    unknown = sorted(set(chosen) - set(FEEDS))
    if unknown or not chosen:
        raise typer.BadParameter(f"unknown feed(s) {unknown}; choose from {', '.join(FEEDS)}")
    if not 0 <= invalid + duplicate <= 1:
        raise typer.BadParameter("--invalid plus --duplicate must be between 0 and 1")
    token = token or _local_token()
    if token is None:
        raise typer.BadParameter("no token: pass --token or start paicha with `paicha up`")
    plan = Plan(
        intake_url=intake_url,
        token=token,
        triage_url=triage_url or None,
        rate=rate,
        duration_s=duration or None,
        feeds=chosen,
        invalid_share=invalid,
        duplicate_share=duplicate,
        seed=seed,
    )
    try:
        tally = asyncio.run(run(plan, console, show_progress=progress))
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    table = Table("sent", "accepted", "duplicates", "rejected", "failed calls", "reasons")
    reasons = ", ".join(f"{k} {v}" for k, v in tally.reasons.most_common())
    table.add_row(
        str(tally.sent),
        str(tally.accepted),
        str(tally.duplicates),
        str(tally.rejected),
        str(tally.failed_calls),
        reasons or "-",
    )
    console.print(table)


def _local_token() -> str | None:
    """The admin token `paicha up` generated for the local stack, if any."""
    from paicha.stack.local import load_local_secrets

    secrets = load_local_secrets()
    return secrets.admin_token if secrets else os.environ.get("PAICHA_INTAKE_TOKEN")
