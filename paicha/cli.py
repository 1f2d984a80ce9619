"""The `paicha` command: run paicha locally, simulate feeds, import files, manage tokens."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import httpx
import typer
from rich.console import Console
from rich.table import Table

from paicha.simulate.cli import simulate_app
from paicha.stack import Stack, StackError, StackStatus
from paicha.stack.local import (
    DEMO_GRIDS,
    Simulator,
    WorkerSimulator,
    ensure_local_secrets,
    services,
)
from services.intake import cli as intake_cli
from services.reporting import cli as reporting_cli
from services.tasking import cli as tasking_cli

app = typer.Typer(help="paicha (排查): risk-person screening pipeline.", no_args_is_help=True)
stack_app = typer.Typer(
    help="The local stack alone: Apache Kafka (KRaft) and FerretDB, no Docker.",
    no_args_is_help=True,
)
app.add_typer(stack_app, name="stack")
app.add_typer(simulate_app, name="simulate")
app.command("import")(intake_cli.import_file)
app.add_typer(intake_cli.token_app, name="token")
app.add_typer(tasking_cli.grids_app, name="grids")
app.add_typer(reporting_cli.report_app, name="report")
app.add_typer(reporting_cli.reports_app, name="reports")
console = Console()
err = Console(stderr=True)


@app.command("up")
def up(
    simulator: Annotated[bool, typer.Option(
        help="Also run the simulators: the five feeds, and grid workers working their tasks.")
    ] = True,
    rate: Annotated[float, typer.Option(help="Simulator records per second.")] = 5.0,
    demo: Annotated[bool, typer.Option(
        help="Load the demo county's grid directory into tasking (--no-demo for your own).")
    ] = True,
) -> None:
    """Start everything: Kafka, PostgreSQL and FerretDB, paicha's four services, the demo
    county's grid directory and (by default) the feed and grid-worker simulators."""
    stack = Stack()
    try:
        stack.up(progress=lambda msg: console.print(f"[dim]…[/dim] {msg}"))
        ensure_local_secrets(stack.settings)
        for service in services(stack.settings):
            if service.process.pid() is None:
                console.print(f"[dim]…[/dim] starting {service.spec.name} on {service.url}")
                service.start()
        for service in services(stack.settings):
            service.wait_ready(timeout_s=120)
        urls = {s.spec.name: s.url for s in services(stack.settings)}
        try:
            if demo:
                loaded = tasking_cli.load_grids_file(
                    DEMO_GRIDS, urls["tasking"], ensure_local_secrets(stack.settings).admin_token)
                console.print(f"[dim]…[/dim] {loaded} demo grids loaded into tasking")
        except Exception as exc:  # noqa: BLE001 - the stack runs; say what failed, go on
            err.print(f"[yellow]demo grids not loaded:[/yellow] {exc}")
        if simulator:
            Simulator(stack.settings).start(rate)
            WorkerSimulator(stack.settings).start()
    except StackError as exc:
        err.print(f"[red]paicha up:[/red] {exc}")
        raise typer.Exit(1) from None
    _print_all(stack)
    _welcome(stack)


def _welcome(stack: Stack) -> None:
    """Where to look and how to get in, once everything runs."""
    urls = {s.spec.name: s.url for s in services(stack.settings)}
    admin = ensure_local_secrets(stack.settings).admin_token
    table = Table("what", "where", show_header=False, box=None)
    table.add_row("APIs (OpenAPI)", " · ".join(f"{name} {url}/docs" for name, url in urls.items()))
    table.add_row("grid worker page", f"{urls['tasking']}/worker/")
    table.add_row("the day's report", f"{urls['reporting']}/reports/daily")
    table.add_row("the briefing", "paicha report daily   (or GET "
                  f"{urls['reporting']}/v1/reports/daily.txt)")
    table.add_row("admin token", f"{admin}   (`paicha token local`)")
    demo = _demo_worker_token(urls["tasking"], admin, stack.settings.run_dir)
    if demo:
        table.add_row("a worker's token", f"{demo}   (大阁镇第1网格; `paicha token new --grid G "
                      "--worker W` makes more)")
    table.add_row("stop", "make down   (data kept; `paicha down --wipe` deletes it)")
    console.print(table)


def _demo_worker_token(tasking_url: str, admin: str, run_dir: Path) -> str | None:
    """A token for the first demo grid's worker, to try the worker page with: made once and
    kept (mode 0600) in the stack's directory, so `paicha up` does not add one at every start."""
    kept = run_dir / "demo-worker-token"
    try:
        token = kept.read_text().strip()
        if httpx.get(f"{tasking_url}/v1/me", timeout=10,
                     headers={"Authorization": f"Bearer {token}"}).status_code == 200:
            return token
    except (OSError, httpx.HTTPError):
        pass
    try:
        response = httpx.post(f"{tasking_url}/v1/tokens", timeout=10,
                              headers={"Authorization": f"Bearer {admin}"},
                              json={"scope": "worker", "grid_id": "130826100-g1",
                                    "worker_id": "g-130826100-1"})
    except httpx.HTTPError:
        return None
    made = response.json().get("token") if response.status_code == 201 else None
    if not made:
        return None
    fd = os.open(kept, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(f"{made}\n")
    return str(made)


@intake_cli.token_app.command("new")
def token_new(
    feed: Annotated[str | None, typer.Option(
        "--feed", help="A feed token: bigdata|assist|selfreport|screening|contacts|admin "
        "(prints the token and the SHA-256 to configure)")] = None,
    grid: Annotated[str | None, typer.Option("--grid", help="A grid worker's token (tasking)")
                    ] = None,
    worker: Annotated[str | None, typer.Option("--worker", help="The worker id (with --grid)")
                      ] = None,
    township: Annotated[str | None, typer.Option(
        "--township", help="A township supervisor's token (9-digit code)")] = None,
    county: Annotated[str | None, typer.Option(
        "--county", help="A county supervisor's token (6-digit code)")] = None,
    token: Annotated[str | None, typer.Option(
        "--token", envvar="PAICHA_TASKING_TOKEN",
        help="Tasking's admin token (default: the local stack's)")] = None,
    url: Annotated[str, typer.Option("--url", envvar="PAICHA_TASKING_URL",
                                     help="Tasking's URL")] = tasking_cli.DEFAULT_URL,
) -> None:
    """A new bearer token: for a feed (--feed; intake is configured with its SHA-256), or made by
    tasking for a grid worker (--grid G --worker W) or a township/county supervisor."""
    if feed is not None:
        if grid or worker or township or county:
            err.print("give either --feed or one of --grid/--township/--county")
            raise typer.Exit(2)
        intake_cli.token_new(feed)
        return
    admin = token or ensure_local_secrets(Stack().settings).admin_token
    tasking_cli.token_grid(admin, grid=grid, worker=worker, township=township, county=county,
                           url=url)


@intake_cli.token_app.command("local")
def token_local() -> None:
    """Print the admin token `paicha up` made for the local stack (for curl and `paicha import`)."""
    local = ensure_local_secrets(Stack().settings)
    typer.echo(local.admin_token)


@app.command("down")
def down(
    wipe: Annotated[bool, typer.Option("--wipe", help="Also delete data and logs.")] = False,
) -> None:
    """Stop everything `paicha up` started (simulator, services, then the stack)."""
    stack = Stack()
    stopped = [sim.process.name for sim in (Simulator(stack.settings),
                                            WorkerSimulator(stack.settings))
               if sim.process.stop()]
    stopped += [s.spec.name for s in reversed(services(stack.settings)) if s.process.stop()]
    stopped += stack.down(wipe=wipe)
    console.print("stopped: " + (", ".join(stopped) if stopped else "nothing was running"))


@app.command("status")
def status() -> None:
    """What runs and whether it answers. Exit 0 only when everything runs."""
    raise typer.Exit(0 if _print_all(Stack()) else 3)


@stack_app.command("up")
def stack_up() -> None:
    """Download/build what is missing (cached), start Kafka and FerretDB, wait until they answer."""
    stack = Stack()
    try:
        result = stack.up(progress=lambda msg: console.print(f"[dim]…[/dim] {msg}"))
    except StackError as exc:
        err.print(f"[red]paicha stack up:[/red] {exc}")
        raise typer.Exit(1) from None
    console.print(_print_stack(result))


@stack_app.command("down")
def stack_down(
    wipe: Annotated[bool, typer.Option("--wipe", help="Also delete data and logs.")] = False,
) -> None:
    """Stop exactly the processes `up` started. Data is kept unless --wipe."""
    stopped = Stack().down(wipe=wipe)
    console.print("stopped: " + (", ".join(stopped) if stopped else "nothing was running"))
    if wipe:
        console.print("data and logs deleted")


@stack_app.command("status")
def stack_status() -> None:
    """Say what is running and whether it answers. Exit 0 only when everything runs."""
    result = Stack().status()
    console.print(_print_stack(result))
    raise typer.Exit(0 if result.running else 3)


def _print_stack(result: StackStatus, table: Table | None = None) -> Table:
    table = table or Table("component", "state", "pid", "address")
    for c in result.components:
        color = "green" if c.state == "running" else "yellow" if c.pid else "red"
        table.add_row(c.name, f"[{color}]{c.state}[/{color}]", str(c.pid or "-"), c.address)
    return table


def _print_all(stack: Stack) -> bool:
    """Print stack, services and simulator; True when all of them run."""
    stack_status = stack.status()
    table = _print_stack(stack_status)
    ok = stack_status.running
    for service in services(stack.settings):
        pid = service.process.pid()
        state = "stopped" if pid is None else "running" if service.ready() else "not ready"
        ok = ok and state == "running"
        color = {"running": "green", "stopped": "red"}.get(state, "yellow")
        table.add_row(service.spec.name, f"[{color}]{state}[/{color}]", str(pid or "-"),
                      service.url)
    for sim, what in ((Simulator(stack.settings), "pushes to intake"),
                      (WorkerSimulator(stack.settings), "works tasks through tasking")):
        sim_pid = sim.process.pid()
        table.add_row(sim.process.name,
                      "[green]running[/green]" if sim_pid else "[dim]stopped[/dim]",
                      str(sim_pid or "-"), what)
    console.print(table)
    return ok


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
