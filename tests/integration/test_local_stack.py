"""`paicha stack up | status | down` on a stack of its own: starts, tells the truth, stops clean."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from paicha.stack.errors import free_port

pytestmark = pytest.mark.integration


def _paicha(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "paicha", *args],
        env={**os.environ, **env, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=300,
    )


def _alive(pid: int) -> bool:
    """Running, not a zombie (a sandbox's pid 1 may be slow to reap orphans)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False


def test_up_status_down_leaves_no_process_behind(unique_name):
    env = {
        "PAICHA_STACK_NAME": unique_name("lifecycle"),
        "PAICHA_STACK_KAFKA_PORT": str(free_port()),
        "PAICHA_STACK_KAFKA_CONTROLLER_PORT": str(free_port()),
        "PAICHA_STACK_MONGO_PORT": str(free_port()),
    }
    try:
        up = _paicha(env, "stack", "up")
        assert up.returncode == 0, up.stderr
        status = _paicha(env, "stack", "status")
        assert status.returncode == 0
        lines = {line.split()[1]: line for line in status.stdout.splitlines() if "│" in line[:2]}
        assert "running" in lines["kafka"] and "running" in lines["ferretdb"]
        pids = [int(line.split("│")[3]) for line in lines.values()]
        assert all(_alive(p) for p in pids)

        again = _paicha(env, "stack", "up")  # a second up finds both running and starts nothing
        assert again.returncode == 0 and "starting" not in again.stdout

        down = _paicha(env, "stack", "down")
        assert "kafka" in down.stdout and "ferretdb" in down.stdout
        assert not any(_alive(p) for p in pids)
        stopped = _paicha(env, "stack", "status")
        assert stopped.returncode == 3
        assert stopped.stdout.count("stopped") == 2
    finally:
        _paicha(env, "stack", "down", "--wipe")


def test_a_taken_port_is_a_one_line_error(unique_name):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {"PAICHA_STACK_NAME": unique_name("taken"), "PAICHA_STACK_KAFKA_PORT": str(port)}
        result = _paicha(env, "stack", "up")
    assert result.returncode == 1
    message = " ".join(result.stderr.split())
    assert f"port 127.0.0.1:{port} is already in use" in message
    assert "PAICHA_STACK_KAFKA_PORT" in message
