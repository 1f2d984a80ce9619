"""`paicha stack up | status | down` on a stack of its own: starts, tells the truth, stops clean."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pymongo import AsyncMongoClient

from paicha.stack.config import StackSettings
from paicha.stack.errors import free_port
from paicha.stack.postgres import PostgreSQL

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


COMPONENTS = {"postgresql": ["kafka", "postgresql", "ferretdb"], "sqlite": ["kafka", "ferretdb"]}


def _env(name: str, store: str) -> dict[str, str]:
    return {
        "PAICHA_STACK_NAME": name,
        "PAICHA_STACK_STORE": store,
        "PAICHA_STACK_KAFKA_PORT": str(free_port()),
        "PAICHA_STACK_KAFKA_CONTROLLER_PORT": str(free_port()),
        "PAICHA_STACK_MONGO_PORT": str(free_port()),
        "PAICHA_STACK_POSTGRES_PORT": str(free_port()),
    }


async def _store_round_trip(mongo_url: str) -> dict[str, object] | None:
    client: AsyncMongoClient = AsyncMongoClient(mongo_url, serverSelectionTimeoutMS=5000)
    try:
        await client["lifecycle"]["kept"].insert_one({"_id": "a", "n": 1})
        return await client["lifecycle"]["kept"].find_one({"_id": "a"})
    finally:
        await client.close()


@pytest.mark.timeout(900)  # three starts of a JVM and more on a busy 2-core machine
@pytest.mark.parametrize("store", ["postgresql", "sqlite"])
async def test_up_status_down_leaves_no_process_behind(unique_name, store):
    env = _env(unique_name("lifecycle"), store)
    try:
        up = _paicha(env, "stack", "up")
        assert up.returncode == 0, up.stderr
        status = _paicha(env, "stack", "status")
        assert status.returncode == 0
        lines = {line.split()[1]: line for line in status.stdout.splitlines() if "│" in line[:2]}
        assert list(lines) == COMPONENTS[store]
        assert all("running" in line for line in lines.values())
        pids = [int(line.split("│")[3]) for line in lines.values()]
        assert all(_alive(p) for p in pids)
        mongo_url = f"mongodb://127.0.0.1:{env['PAICHA_STACK_MONGO_PORT']}/"
        assert await _store_round_trip(mongo_url) == {"_id": "a", "n": 1}

        again = _paicha(env, "stack", "up")  # a second up finds all running and starts nothing
        assert again.returncode == 0 and "starting" not in again.stdout

        down = _paicha(env, "stack", "down")
        assert all(name in down.stdout for name in COMPONENTS[store])
        assert not any(_alive(p) for p in pids)
        stopped = _paicha(env, "stack", "status")
        assert stopped.returncode == 3
        assert stopped.stdout.count("stopped") == len(COMPONENTS[store])

        # Data outlives down/up; --wipe deletes it.
        assert _paicha(env, "stack", "up").returncode == 0
        status = _paicha(env, "stack", "status")
        pids = [int(line.split("│")[3]) for line in status.stdout.splitlines() if "│" in line[:2]]
        client: AsyncMongoClient = AsyncMongoClient(mongo_url)
        try:
            assert await client["lifecycle"]["kept"].count_documents({}) == 1
        finally:
            await client.close()
        wiped = _paicha(env, "stack", "down", "--wipe")
        assert "data and logs deleted" in wiped.stdout
        assert not any(_alive(p) for p in pids)
        settings = StackSettings(name=env["PAICHA_STACK_NAME"])
        assert not settings.run_dir.exists()
        # The cluster's files too, wherever they lived (root's live in the postgres user's home).
        assert not PostgreSQL(settings).data_dir.exists()
    finally:
        _paicha(env, "stack", "down", "--wipe")


def test_postgresql_missing_is_a_one_line_error_with_the_install_command(unique_name):
    env = {**_env(unique_name("nopg"), "postgresql"),
           "PAICHA_STACK_POSTGRES_BIN_DIR": "/nonexistent/postgresql/15/bin"}
    try:
        result = _paicha(env, "stack", "up")
        assert result.returncode == 1
        message = " ".join(result.stderr.split())
        assert "PostgreSQL was not found" in message
        assert "apt-get install -y postgresql" in message
        assert "PAICHA_STACK_STORE=sqlite" in message
        assert "starting" not in result.stdout  # nothing was started before the check
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
