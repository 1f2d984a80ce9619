"""The `paicha` command: run the local stack (and, as they land, services, simulator, reports)."""

from __future__ import annotations

import sys

import typer
from rich.console import Console
from rich.table import Table

from paicha.stack import Stack, StackError

app = typer.Typer(help="paicha (排查): risk-person screening pipeline.", no_args_is_help=True)
stack_app = typer.Typer(
    help="The local stack: Apache Kafka (KRaft) and FerretDB, no Docker.", no_args_is_help=True
)
app.add_typer(stack_app, name="stack")
console = Console()
err = Console(stderr=True)


@stack_app.command("up")
def stack_up() -> None:
    """Download/build what is missing (cached), start Kafka and FerretDB, wait until they answer."""
    stack = Stack()
    try:
        status = stack.up(progress=lambda msg: console.print(f"[dim]…[/dim] {msg}"))
    except StackError as exc:
        err.print(f"[red]paicha stack up:[/red] {exc}")
        raise typer.Exit(1) from None
    _print_status(status)


@stack_app.command("down")
def stack_down(
    wipe: bool = typer.Option(False, "--wipe", help="Also delete the stack's data and logs."),
) -> None:
    """Stop exactly the processes `up` started. Data is kept unless --wipe."""
    stopped = Stack().down(wipe=wipe)
    console.print("stopped: " + (", ".join(stopped) if stopped else "nothing was running"))
    if wipe:
        console.print("data and logs deleted")


@stack_app.command("status")
def stack_status() -> None:
    """Say what is running and whether it answers. Exit 0 only when everything runs."""
    status = Stack().status()
    _print_status(status)
    raise typer.Exit(0 if status.running else 3)


def _print_status(status: object) -> None:
    table = Table("component", "state", "pid", "address")
    for c in status.components:  # type: ignore[attr-defined]
        color = "green" if c.state == "running" else "yellow" if c.pid else "red"
        table.add_row(c.name, f"[{color}]{c.state}[/{color}]", str(c.pid or "-"), c.address)
    console.print(table)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
