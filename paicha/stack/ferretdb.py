"""FerretDB v1 of the local stack: the MongoDB wire protocol over the stack's PostgreSQL (default)
or over SQLite files in a data dir (PAICHA_STACK_STORE=sqlite)."""

from __future__ import annotations

from pathlib import Path

from paicha.stack.config import StackSettings
from paicha.stack.processes import ManagedProcess


class FerretDB:
    """Starts FerretDB on the configured backend and waits until a ping answers."""

    def __init__(self, settings: StackSettings, binary: Path | None) -> None:
        self.settings = settings
        self.binary = binary
        self.dir = settings.run_dir / "ferretdb"
        self.data_dir = self.dir / "data"
        self.process = ManagedProcess("ferretdb", self.dir / "ferretdb.pid", marker=str(self.dir))

    def start(self) -> None:
        assert self.binary is not None
        postgresql_url = self.settings.ferretdb_postgresql_url
        if postgresql_url is not None:
            backend = ["--handler=postgresql", f"--postgresql-url={postgresql_url}"]
        else:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            backend = ["--handler=sqlite", f"--sqlite-url=file:{self.data_dir}/"]
        self.dir.mkdir(parents=True, exist_ok=True)
        argv = [
            str(self.binary),
            *backend,
            f"--state-dir={self.dir}",
            f"--listen-addr={self.settings.host}:{self.settings.mongo_port}",
            "--debug-addr=-",  # no extra HTTP port
            "--telemetry=disable",  # no network beyond loopback here
            "--log-level=WARN",
        ]
        self.process.start(argv, self.dir / "ferretdb.log")

    async def ready(self) -> bool:
        from pymongo import AsyncMongoClient

        client: AsyncMongoClient = AsyncMongoClient(
            self.settings.mongo_url, serverSelectionTimeoutMS=1000, connectTimeoutMS=1000
        )
        try:
            await client.admin.command("ping")
            return True
        except Exception:  # noqa: BLE001 - any failure means "not yet"
            return False
        finally:
            await client.close()

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(
                (self.dir / "ferretdb.log").read_text(errors="replace").splitlines()[-lines:]
            )
        except FileNotFoundError:
            return ""
