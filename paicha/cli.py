"""The `paicha` command: run paicha locally, simulate feeds, import files, manage tokens."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from paicha.simulate.cli import simulate
from paicha.stack import Stack, StackError, StackStatus
from paicha.stack.local import Simulator, ensure_local_secrets, services
from services.intake import cli as intake_cli
from services.reporting import cli as reporting_cli

app = typer.Typer(help="paicha (排查): risk-person screening pipeline.", no_args_is_help=True)
stack_app = typer.Typer(
    help="The local stack alone: Apache Kafka (KRaft) and FerretDB, no Docker.",
    no_args_is_help=True,
)
app.add_typer(stack_app, name="stack")
app.command("simulate")(simulate)
app.command("import")(intake_cli.import_file)
app.add_typer(intake_cli.token_app, name="token")
app.add_typer(reporting_cli.report_app, name="report")
app.add_typer(reporting_cli.reports_app, name="reports")
console = Console()
err = Console(stderr=True)


@app.command("up")
def up(
    simulator: Annotated[bool, typer.Option(help="Also run the feed simulator.")] = True,
    rate: Annotated[float, typer.Option(help="Simulator records per second.")] = 5.0,
) -> None:
    """Start everything: Kafka, FerretDB, paicha's services and (by default) the simulator."""
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
        if simulator:
            Simulator(stack.settings).start(rate)
    except StackError as exc:
        err.print(f"[red]paicha up:[/red] {exc}")
        raise typer.Exit(1) from None
    _print_all(stack)
    urls = {s.spec.name: s.url for s in services(stack.settings)}
    console.print(f"intake API: {urls['intake']}/docs · triage API: {urls['triage']}/docs · "
                  "admin token: `paicha token local`")


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
    stopped = [] if not Simulator(stack.settings).process.stop() else ["simulator"]
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
    sim_pid = Simulator(stack.settings).process.pid()
    table.add_row("simulator", "[green]running[/green]" if sim_pid else "[dim]stopped[/dim]",
                  str(sim_pid or "-"), "pushes to intake")
    console.print(table)
    return ok


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
