"""tasking's commands for the `paicha` CLI, through the tasking API with the admin token:
``grids load FILE`` (YAML, CSV or XLSX) and ``token grid`` (a worker, township or county token,
printed once)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console

from services.tasking.adapters.grid_files import GridFileError, read_grids

err = Console(stderr=True)
grids_app = typer.Typer(help="The grid directory (网格) tasking assigns cases by.",
                        no_args_is_help=True)
DEFAULT_URL = "http://127.0.0.1:8003"
Url = Annotated[str, typer.Option("--url", envvar="PAICHA_TASKING_URL")]
Token = Annotated[str, typer.Option("--token", envvar="PAICHA_TASKING_TOKEN",
                                    help="the tasking admin token")]


def load_grids_file(path: Path, url: str, token: str) -> int:
    """PUT every grid of the file; returns how many. Raises GridFileError, httpx.HTTPError,
    RuntimeError (a refused grid, with tasking's message)."""
    grids = read_grids(path)
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"},
                      timeout=30) as client:
        for grid in grids:
            body = {k: v for k, v in grid.items() if k != "grid_id"}
            response = client.put(f"/v1/grids/{grid['grid_id']}", json=body)
            if response.status_code != 200:
                raise RuntimeError(f"grid {grid['grid_id']}: {response.status_code} "
                                   f"{response.text[:500]}")
    return len(grids)


@grids_app.command("load")
def grids_load(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    token: Token,
    url: Url = DEFAULT_URL,
) -> None:
    """Load a whole county's grids: YAML (`grids:` list), or CSV/XLSX with the columns
    网格编号, 网格名称, 乡镇代码, 乡镇, 村代码, 村, 网格员编号, 网格员, 联系电话."""
    try:
        count = load_grids_file(file, url, token)
    except GridFileError as exc:
        err.print(f"[red]{file}:[/red] {exc}")
        raise typer.Exit(2) from None
    except (httpx.HTTPError, RuntimeError) as exc:
        err.print(f"[red]tasking at {url} refused:[/red] {exc}")
        raise typer.Exit(1) from None
    typer.echo(f"{count} grids loaded from {file.name}")


def token_grid(
    token: Token,
    grid: Annotated[str | None, typer.Option("--grid", help="a worker token for this grid")
                    ] = None,
    worker: Annotated[str | None, typer.Option("--worker", help="the worker id (with --grid)")
                      ] = None,
    township: Annotated[str | None, typer.Option("--township",
                                                 help="9-digit township supervisor")] = None,
    county: Annotated[str | None, typer.Option("--county", help="6-digit county supervisor")
                      ] = None,
    url: Url = DEFAULT_URL,
) -> None:
    """Make a tasking token for a grid worker (--grid G --worker W) or a township/county
    supervisor; tasking keeps only its SHA-256, so it is printed once."""
    chosen = [x for x in (grid, township, county) if x]
    if len(chosen) != 1 or (grid and not worker):
        err.print("give exactly one of --grid G --worker W, --township T, --county C")
        raise typer.Exit(2)
    body: dict[str, Any] = (
        {"scope": "worker", "grid_id": grid, "worker_id": worker} if grid else
        {"scope": "township", "area_code": township} if township else
        {"scope": "county", "area_code": county})
    try:
        response = httpx.post(f"{url.rstrip('/')}/v1/tokens", json=body, timeout=30,
                              headers={"Authorization": f"Bearer {token}"})
    except httpx.HTTPError as exc:
        err.print(f"[red]cannot reach tasking at {url}:[/red] {exc}")
        raise typer.Exit(1) from None
    if response.status_code != 201:
        err.print(f"[red]{response.status_code}:[/red] {response.text[:500]}")
        raise typer.Exit(1)
    made = response.json()
    typer.echo(f"token:  {made['token']}")
    typer.echo(f"scope:  {made['scope']} {made['grid_id'] or made['area_code']}"
               f"{' ' + made['worker_id'] if made['worker_id'] else ''}")
    typer.echo("Give the token to its holder now: tasking keeps only its hash.", err=True)
