"""Reporting's commands for the `paicha` CLI: ``report daily`` prints a day's briefing (or its
JSON), ``reports rebuild`` asks the service to replay the topics into a fresh view and prints
whether it equals the live one, figure by figure."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console
from rich.table import Table

console, err = Console(), Console(stderr=True)
report_app = typer.Typer(help="Daily reports (the Chinese briefing, JSON figures).",
                         no_args_is_help=True)
reports_app = typer.Typer(help="Reporting maintenance: rebuild check.", no_args_is_help=True)
URL = Annotated[str, typer.Option("--url", envvar="PAICHA_REPORTING_URL")]
DEFAULT_URL = "http://127.0.0.1:8004"


def _call(method: str, url: str, token: str | None = None, **kwargs: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        return httpx.request(method, url, headers=headers, timeout=300, **kwargs)
    except httpx.HTTPError as exc:
        err.print(f"[red]cannot reach reporting at {url}:[/red] {exc}")
        raise typer.Exit(1) from None


def _fail(response: httpx.Response) -> None:
    try:
        error = response.json().get("error", {})
    except ValueError:
        error = {"code": "http", "message": response.text[:300]}
    err.print(f"[red]{response.status_code} {error.get('code')}:[/red] {error.get('message')}")
    raise typer.Exit(1)


@report_app.command("daily")
def daily(
    day: Annotated[str | None, typer.Option("--date", help="YYYY-MM-DD (Asia/Shanghai), "
                                            "default today")] = None,
    fmt: Annotated[str, typer.Option("--format", help="txt | json")] = "txt",
    url: URL = DEFAULT_URL,
    token: Annotated[str | None, typer.Option("--token", envvar="PAICHA_REPORTING_TOKEN",
                                              help="only if reports need a reader token")
                     ] = None,
) -> None:
    """Print a day's briefing (four sentences) or, with --format json, every figure."""
    if fmt not in ("txt", "json"):
        err.print("[red]--format is txt or json[/red]")
        raise typer.Exit(2)
    params = {}
    if day:
        try:
            params["date"] = date.fromisoformat(day).isoformat()
        except ValueError:
            err.print(f"[red]--date must be YYYY-MM-DD, got {day!r}[/red]")
            raise typer.Exit(2) from None
    path = "/v1/reports/daily.txt" if fmt == "txt" else "/v1/reports/daily"
    response = _call("GET", url.rstrip("/") + path, token, params=params)
    if response.status_code != 200:
        _fail(response)
    if fmt == "txt":
        typer.echo(response.text, nl=False)
    else:
        typer.echo(json.dumps(response.json(), ensure_ascii=False, indent=2))


@reports_app.command("rebuild")
def rebuild(
    token: Annotated[str, typer.Option("--token", envvar="PAICHA_REPORTING_ADMIN_TOKEN",
                                       help="reporting's admin token")],
    url: URL = DEFAULT_URL,
) -> None:
    """Replay the topics from the start into a fresh view; exit 0 when it equals the live one,
    3 when figures differ (each printed)."""
    response = _call("POST", url.rstrip("/") + "/v1/reports/rebuild", token)
    if response.status_code != 200:
        _fail(response)
    body = response.json()
    if body["equal"]:
        console.print(f"[green]equal[/green]: {body['figures']} figures from "
                      f"{body['events_replayed']} replayed events match the live view")
        return
    table = Table("figure", "live", "rebuilt")
    for diff in body["differences"]:
        table.add_row(diff["figure"], str(diff["live"]), str(diff["rebuilt"]))
    console.print(table)
    console.print(f"[red]{body['differences_total']} of {body['figures']} figures differ[/red]")
    raise typer.Exit(3)
