"""PostgreSQL 15 of the local stack (Debian's package): the store under FerretDB.

One cluster per stack, initialised once (`initdb`, superuser `paicha`, trust auth on loopback
only, no Unix socket), a database `ferretdb` made on the first start. PostgreSQL refuses to run
as root: a root operator's cluster runs as the `postgres` system user, and since that user cannot
enter root's home, its data then lives in the postgres user's home
(`~postgres/paicha-stacks/<stack>-<hash>`), linked from `<run_dir>/postgresql/data`.
"""

from __future__ import annotations

import hashlib
import os
import pwd
import shutil
import signal
import subprocess
from pathlib import Path

from paicha.stack.config import StackSettings
from paicha.stack.errors import StackError
from paicha.stack.processes import ManagedProcess, run_as, user_group

SYSTEM_USER = "postgres"  # made by Debian's postgresql package
SUPERUSER = "paicha"
DATABASE = "ferretdb"
INSTALL_HINT = "install PostgreSQL 15 (Debian: apt-get install -y postgresql)"


class PostgreSQL:
    """Initialises the cluster once, starts `postgres`, waits for a query, makes the database."""

    def __init__(self, settings: StackSettings) -> None:
        self.settings = settings
        self.dir = settings.run_dir / "postgresql"
        self.user = SYSTEM_USER if os.geteuid() == 0 else None
        self.data_dir = self._data_dir()
        # The data dir is unique per stack and on postgres's command line: a trustworthy marker.
        self.process = ManagedProcess(
            "postgresql", self.dir / "postgresql.pid", marker=f"-D {self.data_dir} ",
            stop_signal=signal.SIGINT,
        )

    def _data_dir(self) -> Path:
        if self.user is None:
            return self.dir / "data"
        try:
            home = Path(pwd.getpwnam(self.user).pw_dir)
        except KeyError:
            home = Path("/var/lib/postgresql")  # `require_installed` reports the missing user
        tag = hashlib.sha256(str(self.settings.run_dir).encode()).hexdigest()[:10]
        return home / "paicha-stacks" / f"{self.settings.name}-{tag}"

    @property
    def address(self) -> str:
        return f"{self.settings.host}:{self.settings.postgres_port}"

    def _bin(self, name: str) -> str:
        return str(self.settings.postgres_bin_dir / name)

    def require_installed(self) -> None:
        for tool in ("initdb", "postgres"):
            if not os.access(self._bin(tool), os.X_OK):
                raise StackError(
                    f"PostgreSQL was not found ({self._bin(tool)} is missing): {INSTALL_HINT}, "
                    "or set PAICHA_STACK_STORE=sqlite"
                )
        if self.user is not None:
            try:
                pwd.getpwnam(self.user)
            except KeyError:
                raise StackError(
                    f"running as root needs the `{self.user}` user to run PostgreSQL: "
                    f"{INSTALL_HINT}"
                ) from None

    def start(self) -> None:
        self.require_installed()
        self.dir.mkdir(parents=True, exist_ok=True)
        if not (self.data_dir / "PG_VERSION").exists():
            self._initdb()
        argv = [
            self._bin("postgres"),
            "-D", str(self.data_dir),
            "-p", str(self.settings.postgres_port),
            "-c", f"listen_addresses={self.settings.host}",
            "-c", "unix_socket_directories=",  # TCP on loopback only
        ]
        self.process.start(argv, self.dir / "postgresql.log", user=self.user)

    def _initdb(self) -> None:
        if self.data_dir.exists():  # a half-made cluster from an interrupted first start
            shutil.rmtree(self.data_dir)
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        if self.user is not None:
            gid = user_group(self.user)
            uid = pwd.getpwnam(self.user).pw_uid
            os.chown(self.data_dir.parent, uid, gid)
            link = self.dir / "data"
            if not link.is_symlink():
                link.unlink(missing_ok=True)
                link.symlink_to(self.data_dir)
        proc = subprocess.run(
            [
                self._bin("initdb"),
                "-D", str(self.data_dir),
                "-U", SUPERUSER,
                "--auth=trust",
                "-E", "UTF8",
                "--locale=C.UTF-8",
            ],
            capture_output=True,
            text=True,
            **run_as(self.user),
        )
        if proc.returncode != 0:
            raise StackError(f"initdb failed: {(proc.stderr or proc.stdout).strip()}")

    def _url(self, database: str) -> str:
        return f"postgres://{SUPERUSER}@{self.address}/{database}"

    async def ready(self) -> bool:
        """True when the server answers a query."""
        import psycopg

        try:
            conn = await psycopg.AsyncConnection.connect(self._url("postgres"), connect_timeout=2)
        except psycopg.Error:
            return False
        try:
            await conn.execute("SELECT 1")
            return True
        except psycopg.Error:
            return False
        finally:
            await conn.close()

    async def ensure_database(self) -> None:
        """Create the database FerretDB uses, once."""
        import psycopg
        from psycopg import sql

        async with await psycopg.AsyncConnection.connect(
            self._url("postgres"), autocommit=True, connect_timeout=5
        ) as conn:
            cur = await conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,))
            if await cur.fetchone() is None:
                await conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))

    def wipe(self) -> None:
        """Delete the cluster's files (they may live outside run_dir, see the module doc)."""
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(
                (self.dir / "postgresql.log").read_text(errors="replace").splitlines()[-lines:]
            )
        except FileNotFoundError:
            return ""
