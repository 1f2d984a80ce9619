"""Intake's commands for the `paicha` CLI: ``import --feed F FILE`` uploads a CSV/XLSX list to
the files API with a progress bar; ``token new --feed F`` makes a feed token and its hash."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, BinaryIO, cast

import httpx
import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, SpinnerColumn, TextColumn
from rich.table import Table

from services.intake.auth import ADMIN, hash_token, new_token
from services.intake.domain.fields import FEEDS

console, err = Console(), Console(stderr=True)
token_app = typer.Typer(help="Bearer tokens: feeds (intake keeps their SHA-256), grid workers "
                        "and supervisors (tasking keeps theirs).", no_args_is_help=True)
PARTIAL_EXIT = 3  # the call worked but some rows were rejected


def token_new(
    feed: Annotated[str, typer.Option("--feed", help=f"{'|'.join(FEEDS)}|{ADMIN}")],
) -> None:
    """Print a new bearer token for a feed (or admin), its SHA-256 and the env line to set."""
    if feed not in (*FEEDS, ADMIN):
        err.print(f"[red]unknown feed {feed!r}[/red]; one of {', '.join(FEEDS)}, {ADMIN}")
        raise typer.Exit(2)
    token = new_token(feed)
    digest = hash_token(token)
    env = "INTAKE_ADMIN_TOKEN_HASH" if feed == ADMIN else f"INTAKE_FEED_TOKENS__{feed.upper()}"
    # Plain echo, not rich: long lines must stay copy-pasteable, never wrapped.
    typer.echo(f"token:  {token}")
    typer.echo(f"sha256: {digest}")
    typer.echo(f"env:    {env}={digest}")
    typer.echo(f"Give the token to the {feed} feed now: only its hash is kept.", err=True)


class _Tracked:
    """A file whose reads advance the progress bar (httpx reads uploads in chunks)."""

    def __init__(self, handle: BinaryIO, progress: Progress, task: Any) -> None:
        self._handle, self._progress, self._task = handle, progress, task

    def fileno(self) -> int:  # lets httpx send a Content-Length instead of chunks
        return self._handle.fileno()

    def read(self, size: int = -1) -> bytes:
        chunk = self._handle.read(size)
        self._progress.advance(self._task, len(chunk))
        return chunk


def _upload(path: Path, url: str, token: str, feed: str, sets: list[str]) -> httpx.Response:
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), DownloadColumn())
    with Progress(*columns, console=console, transient=True) as progress, path.open("rb") as fh:
        task = progress.add_task(f"uploading {path.name}", total=path.stat().st_size)
        tracked = cast(BinaryIO, _Tracked(fh, progress, task))
        files = {"file": (path.name, tracked, "application/octet-stream")}
        progress.update(task, description=f"uploading {path.name} (intake checks every row)")
        return httpx.post(f"{url.rstrip('/')}/v1/feeds/{feed}/files", files=files,
                          data={"set": sets},
                          headers={"Authorization": f"Bearer {token}"}, timeout=600)


def token_feed(token: str) -> str | None:
    """The feed a token was made for (``paicha token new`` writes it in the prefix)."""
    parts = token.split("_", 2)
    return parts[1] if len(parts) == 3 and parts[0] == "pc" and parts[1] in FEEDS else None


def import_file(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    token: Annotated[str, typer.Option("--token", envvar="PAICHA_INTAKE_TOKEN",
                                       help="the feed's bearer token")],
    feed: Annotated[str | None, typer.Option(
        "--feed", help=f"{'|'.join(FEEDS)} (default: the token's feed)")] = None,
    sets: Annotated[list[str] | None, typer.Option(
        "--set", help="a value for every row that has none, as 列名=值 "
        "(e.g. --set 排查单位=大阁镇排查组); repeatable")] = None,
    url: Annotated[str, typer.Option("--url", envvar="PAICHA_INTAKE_URL")
                   ] = "http://127.0.0.1:8001",
    as_json: Annotated[bool, typer.Option("--json", help="print intake's answer as JSON")
                       ] = False,
) -> None:
    """Upload a CSV or XLSX list to intake; print what was accepted and each rejected row."""
    feed = feed or token_feed(token)
    if feed is None:
        err.print("[red]--feed is needed[/red]: the token does not name its feed; one of "
                  + ", ".join(FEEDS))
        raise typer.Exit(2)
    try:
        response = _upload(file, url, token, feed, sets or [])
    except httpx.HTTPError as exc:
        err.print(f"[red]cannot reach intake at {url}:[/red] {exc}")
        raise typer.Exit(1) from None
    body = response.json() if response.headers.get("content-type", "").startswith(
        "application/json") else {"error": {"code": "http", "message": response.text[:500]}}
    if as_json:
        console.print_json(json.dumps(body, ensure_ascii=False))
    if response.status_code != 202:
        error = body.get("error", {})
        err.print(f"[red]{response.status_code} {error.get('code')}:[/red] {error.get('message')}")
        raise typer.Exit(1)
    if not as_json:
        _print_summary(body)
    raise typer.Exit(PARTIAL_EXIT if body["rejected"] else 0)


def _print_summary(body: dict[str, Any]) -> None:
    console.print(f"[bold]{body['file']['rows']}[/bold] rows: [green]{body['accepted']} "
                  f"accepted[/green], {body['duplicates']} duplicates, "
                  f"[red]{body['rejected']} rejected[/red]")
    if body["file"]["ignored_columns"]:
        console.print("ignored columns: " + "、".join(body["file"]["ignored_columns"]))
    if body["errors"]:
        table = Table("row", "column", "reason", "message")
        for e in body["errors"][:50]:
            table.add_row(str(e["row"]), e["column"] or e["field"] or "", e["reason"], e["message"])
        console.print(table)
        if len(body["errors"]) > 50:
            console.print(f"… and {body['rejected'] - 50} more (use --json for all)")
