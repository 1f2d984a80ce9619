"""`paicha up` loads the demo county's grid directory unless --no-demo: a county running its own
directory on the local stack must not get the demo grids (and their placeholder workers)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from typer.testing import CliRunner

from paicha import cli


class _Service:
    def __init__(self, name: str) -> None:
        self.spec = SimpleNamespace(name=name)
        self.url = f"http://127.0.0.1:1/{name}"
        self.process = SimpleNamespace(pid=lambda: 1)  # already running: not started again

    def wait_ready(self, timeout_s: float) -> None:
        return None


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Path, str, str]]:
    """Run `paicha up` against nothing: record the grid files it would load into tasking."""
    calls: list[tuple[Path, str, str]] = []

    def load(path: Path, url: str, token: str) -> int:
        calls.append((path, url, token))
        return 10

    stack = SimpleNamespace(settings=object(), up=lambda progress: None)
    monkeypatch.setattr(cli, "Stack", lambda: stack)
    monkeypatch.setattr(cli, "services", lambda settings: [
        _Service(n) for n in ("intake", "triage", "tasking", "reporting")])
    monkeypatch.setattr(cli, "ensure_local_secrets",
                        lambda settings: SimpleNamespace(admin_token="pc_admin_x"))
    monkeypatch.setattr(cli.tasking_cli, "load_grids_file", load)
    monkeypatch.setattr(cli, "_print_all", lambda stack: True)
    monkeypatch.setattr(cli, "_welcome", lambda stack: None)
    return calls


def test_up_loads_the_demo_grids_by_default(loads: list[Any]) -> None:
    result = CliRunner().invoke(cli.app, ["up", "--no-simulator"])
    assert result.exit_code == 0, result.output
    assert loads == [(cli.DEMO_GRIDS, "http://127.0.0.1:1/tasking", "pc_admin_x")]
    assert "10 demo grids loaded into tasking" in result.output


def test_up_no_demo_loads_no_grids(loads: list[Any]) -> None:
    result = CliRunner().invoke(cli.app, ["up", "--no-simulator", "--no-demo"])
    assert result.exit_code == 0, result.output
    assert loads == []
    assert "demo grids" not in result.output


def test_the_demo_worker_token_is_made_once_and_reused(monkeypatch, tmp_path):
    """`paicha up` prints a worker token; a second `up` reuses the kept one while tasking still
    accepts it, rather than adding a token at every start."""
    made: list[str] = []
    valid: set[str] = set()

    def post(url: str, **kwargs: Any) -> Any:
        token = f"pt_worker_{len(made)}"
        made.append(token)
        valid.add(token)
        return SimpleNamespace(status_code=201, json=lambda: {"token": token})

    def get(url: str, headers: dict[str, str], **kwargs: Any) -> Any:
        token = headers["Authorization"].removeprefix("Bearer ")
        return SimpleNamespace(status_code=200 if token in valid else 401)

    monkeypatch.setattr(cli.httpx, "post", post)
    monkeypatch.setattr(cli.httpx, "get", get)
    first = cli._demo_worker_token("http://t", "pc_admin_x", tmp_path)
    assert cli._demo_worker_token("http://t", "pc_admin_x", tmp_path) == first
    assert made == [first]
    assert (tmp_path / "demo-worker-token").stat().st_mode & 0o077 == 0
    valid.clear()  # revoked (runbook: delete from tokens): a new one is made and kept
    second = cli._demo_worker_token("http://t", "pc_admin_x", tmp_path)
    assert second != first and made == [first, second]
