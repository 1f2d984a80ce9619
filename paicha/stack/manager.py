"""Bring the local stack up and down and tell the truth about its state."""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from paicha.stack import fetch
from paicha.stack.config import StackSettings
from paicha.stack.errors import StackError, require_free_port
from paicha.stack.ferretdb import FerretDB
from paicha.stack.kafka import KafkaBroker
from paicha.stack.postgres import PostgreSQL

__all__ = ["Stack", "StackError", "StackStatus"]


@dataclass(frozen=True)
class ComponentStatus:
    name: str
    pid: int | None
    address: str
    answering: bool

    @property
    def state(self) -> str:
        if self.pid is None:
            return "stopped"
        return "running" if self.answering else "starting (not answering yet)"


@dataclass(frozen=True)
class StackStatus:
    components: tuple[ComponentStatus, ...]

    @property
    def running(self) -> bool:
        return all(c.pid is not None and c.answering for c in self.components)

    @property
    def stopped(self) -> bool:
        return all(c.pid is None for c in self.components)


class Stack:
    """One named local stack: Kafka, PostgreSQL (unless the store is SQLite) and FerretDB
    processes, their data and logs under run_dir."""

    def __init__(self, settings: StackSettings | None = None) -> None:
        self.settings = settings or StackSettings()
        self.kafka = KafkaBroker(self.settings, libs=None)
        self.postgres = PostgreSQL(self.settings)
        self.ferretdb = FerretDB(self.settings, binary=None)

    @property
    def on_postgresql(self) -> bool:
        return self.settings.store == "postgresql"

    def up(self, progress: Callable[[str], None] = lambda _msg: None) -> StackStatus:
        """Download/build if needed (cached), start what is not running, wait until both answer."""
        s = self.settings
        if self.kafka.process.pid() is None:
            require_free_port(s.host, s.kafka_port, "PAICHA_STACK_KAFKA_PORT")
            require_free_port(s.host, s.kafka_controller_port, "PAICHA_STACK_KAFKA_CONTROLLER_PORT")
        if self.ferretdb.process.pid() is None:
            require_free_port(s.host, s.mongo_port, "PAICHA_STACK_MONGO_PORT")
        start_postgres = self.on_postgresql and self.postgres.process.pid() is None
        if start_postgres:
            self.postgres.require_installed()
            require_free_port(s.host, s.postgres_port, "PAICHA_STACK_POSTGRES_PORT")
        progress("Kafka jars (cached after the first run)")
        self.kafka.libs = fetch.kafka_libs(s.cache_dir)
        progress("FerretDB binary (built once, then cached)")
        self.ferretdb.binary = fetch.ferretdb_binary(s.cache_dir)
        if self.kafka.process.pid() is None:
            progress(f"starting Kafka on {s.kafka_bootstrap}")
            self.kafka.start()
        if start_postgres:
            progress(f"starting PostgreSQL on {self.postgres.address}")
            self.postgres.start()
        if self.on_postgresql:
            self._wait("PostgreSQL", self.postgres.ready, self.postgres.process.pid,
                       self.postgres.log_tail)
            asyncio.run(self.postgres.ensure_database())
        if self.ferretdb.process.pid() is None:
            progress(f"starting FerretDB on {s.mongo_url} (store: {s.store})")
            self.ferretdb.start()
        self._wait("Kafka", self.kafka.ready, self.kafka.process.pid, self.kafka.log_tail)
        self._wait(
            "FerretDB", self.ferretdb.ready, self.ferretdb.process.pid, self.ferretdb.log_tail
        )
        return self.status()

    def _wait(
        self,
        name: str,
        ready: Callable[[], Coroutine[Any, Any, bool]],
        pid: Callable[[], int | None],
        log_tail: Callable[[], str],
    ) -> None:
        deadline = time.monotonic() + self.settings.start_timeout_s
        while time.monotonic() < deadline:
            if pid() is None:
                raise StackError(f"{name} exited during start; last log lines:\n{log_tail()}")
            if asyncio.run(ready()):
                return
            time.sleep(0.5)
        raise StackError(
            f"{name} did not answer within {self.settings.start_timeout_s:.0f}s; "
            f"last log lines:\n{log_tail()}"
        )

    def down(self, wipe: bool = False) -> list[str]:
        """Stop exactly the processes this stack started (FerretDB before the PostgreSQL under
        it); keep data unless wipe."""
        processes = (self.ferretdb.process, self.postgres.process, self.kafka.process)
        stopped = [p.name for p in processes if p.stop()]
        if wipe:
            self.postgres.wipe()
            shutil.rmtree(self.settings.run_dir, ignore_errors=True)
        return stopped

    def status(self) -> StackStatus:
        """Each component by its pid file and by whether it answers; PostgreSQL is listed when
        it is the store (or still runs from an earlier `up` on it)."""
        s = self.settings
        kafka_pid, ferret_pid = self.kafka.process.pid(), self.ferretdb.process.pid()
        pg_pid = self.postgres.process.pid()
        components = [
            ComponentStatus(
                "kafka",
                kafka_pid,
                s.kafka_bootstrap,
                kafka_pid is not None and asyncio.run(self.kafka.ready()),
            )
        ]
        if self.on_postgresql or pg_pid is not None:
            components.append(
                ComponentStatus(
                    "postgresql",
                    pg_pid,
                    self.postgres.address,
                    pg_pid is not None and asyncio.run(self.postgres.ready()),
                )
            )
        components.append(
            ComponentStatus(
                "ferretdb",
                ferret_pid,
                s.mongo_url,
                ferret_pid is not None and asyncio.run(self.ferretdb.ready()),
            )
        )
        return StackStatus(tuple(components))
