"""`paicha simulate`: push synthetic feed traffic to intake and print what intake answered;
`paicha simulate workers`: grid workers working their tasks through tasking."""

from __future__ import annotations

import asyncio
import os
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from paicha.simulate.runner import FEEDS, Plan, run
from paicha.simulate.workers import WorkerPlan, run_workers

console = Console()
simulate_app = typer.Typer(
    help="Simulate the five feeds pushing records (default), or grid workers (`workers`).",
    invoke_without_command=True,
)


@simulate_app.callback()
def simulate(
    ctx: typer.Context,
    rate: Annotated[float, typer.Option(help="Records per second, all feeds together.")] = 20.0,
    duration: Annotated[float, typer.Option(help="Seconds to run; 0 runs until Ctrl-C.")] = 60.0,
    feeds: Annotated[str, typer.Option(help="Comma-separated feeds.")] = ",".join(FEEDS),
    invalid: Annotated[float, typer.Option(help="Share of invalid records (0–1).")] = 0.05,
    duplicate: Annotated[float, typer.Option(help="Share of re-sent records (0–1).")] = 0.05,
    abroad: Annotated[float, typer.Option(help="Share of arrivals from abroad (0–1).")] = 0.03,
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
    if ctx.invoked_subcommand is not None:
        return
    chosen = tuple(f.strip() for f in feeds.split(",") if f.strip())
    unknown = sorted(set(chosen) - set(FEEDS))
    if unknown or not chosen:
        raise typer.BadParameter(f"unknown feed(s) {unknown}; choose from {', '.join(FEEDS)}")
    if not 0 <= invalid + duplicate <= 1:
        raise typer.BadParameter("--invalid plus --duplicate must be between 0 and 1")
    if not 0 <= abroad <= 1:
        raise typer.BadParameter("--abroad must be between 0 and 1")
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
        abroad_share=abroad,
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


@simulate_app.command("workers")
def simulate_workers(
    tasking_url: Annotated[str, typer.Option(envvar="PAICHA_TASKING_URL")] = (
        "http://127.0.0.1:8003"),
    token: Annotated[
        str | None,
        typer.Option(envvar="PAICHA_ADMIN_TOKEN",
                     help="Tasking admin token (makes the workers' tokens); `paicha up` sets one."),
    ] = None,
    duration: Annotated[float, typer.Option(help="Seconds to run; 0 runs until Ctrl-C.")] = 60.0,
    min_delay: Annotated[float, typer.Option(help="Fewest seconds before a report.")] = 5.0,
    max_delay: Annotated[float, typer.Option(help="Most seconds before a report.")] = 30.0,
    unreachable: Annotated[float, typer.Option(help="Share reported unreachable.")] = 0.10,
    system_fault: Annotated[float, typer.Option(help="Share reported as system fault.")] = 0.05,
    not_in_area: Annotated[float, typer.Option(help="Share reported not in area.")] = 0.03,
    positive: Annotated[float, typer.Option(help="Share of positive test results.")] = 0.0,
    missed: Annotated[float, typer.Option(help="Share of tests never recorded.")] = 0.05,
    poll: Annotated[float, typer.Option(help="Seconds between rounds.")] = 5.0,
    seed: Annotated[int | None, typer.Option(help="Random seed, for a repeatable run.")] = None,
    instance: Annotated[
        str | None,
        typer.Option(hidden=True, help="Set by `paicha up` so it can find this process again."),
    ] = None,
) -> None:
    """Grid workers and supervisors work their tasks: outcomes in the given mix, test results."""
    if unreachable + system_fault + not_in_area > 1 or positive + missed > 1:
        raise typer.BadParameter("the outcome shares (and the test shares) must add up to ≤ 1")
    token = token or _local_token()
    if token is None:
        raise typer.BadParameter("no token: pass --token or start paicha with `paicha up`")
    plan = WorkerPlan(tasking_url=tasking_url, admin_token=token, min_delay_s=min_delay,
                      max_delay_s=max(max_delay, min_delay), unreachable=unreachable,
                      system_fault=system_fault, not_in_area=not_in_area, positive=positive,
                      missed=missed, poll_s=poll, duration_s=duration or None, seed=seed)
    try:
        tally = asyncio.run(run_workers(plan))
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    except RuntimeError as exc:
        console.print(f"[red]paicha simulate workers:[/red] {exc}")
        raise typer.Exit(1) from None
    table = Table("started", "outcomes", "test results", "refused", "failed calls")
    table.add_row(str(tally.started),
                  ", ".join(f"{k} {v}" for k, v in tally.outcomes.most_common()) or "-",
                  ", ".join(f"{k} {v}" for k, v in tally.tests.most_common()) or "-",
                  ", ".join(f"{k} {v}" for k, v in tally.refused.most_common()) or "-",
                  str(tally.failed_calls))
    console.print(table)
