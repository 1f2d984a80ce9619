"""Settings of the local stack: ports, cache and data directories, which store backs FerretDB
(env prefix PAICHA_STACK_)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict


def default_cache_dir() -> Path:
    """Downloads and builds live outside the clone: $XDG_CACHE_HOME/paicha or ~/.cache/paicha."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "paicha"


class StackSettings(BaseSettings):
    """Where the stack keeps its files and which loopback ports it listens on."""

    model_config = SettingsConfigDict(env_prefix="PAICHA_STACK_", extra="ignore")

    cache_dir: Path = default_cache_dir()
    # One stack per name: the default one for `paicha stack up`, private ones for tests.
    name: str = "default"
    host: str = "127.0.0.1"
    kafka_port: int = 9092
    kafka_controller_port: int = 9093
    mongo_port: int = 27017
    # What FerretDB stores into: PostgreSQL (equality lookups and updates served by indexes) or
    # SQLite files (no PostgreSQL needed, but every update scans its collection).
    store: Literal["postgresql", "sqlite"] = "postgresql"
    # 5433, not 5432: a Debian `postgresql` install runs its own cluster on 5432.
    postgres_port: int = 5433
    postgres_bin_dir: Path = Path("/usr/lib/postgresql/15/bin")
    intake_port: int = 8001
    triage_port: int = 8002
    tasking_port: int = 8003
    reporting_port: int = 8004
    kafka_heap: str = "768m"
    start_timeout_s: float = 90.0

    @property
    def run_dir(self) -> Path:
        """Data, logs and pid files of this named stack."""
        return self.cache_dir / "stacks" / self.name

    @property
    def kafka_bootstrap(self) -> str:
        return f"{self.host}:{self.kafka_port}"

    @property
    def mongo_url(self) -> str:
        return f"mongodb://{self.host}:{self.mongo_port}/"

    @property
    def ferretdb_postgresql_url(self) -> str | None:
        """The PostgreSQL under FerretDB (for the GIN pushdown indexes), None on SQLite."""
        if self.store != "postgresql":
            return None
        return f"postgres://paicha@{self.host}:{self.postgres_port}/ferretdb"
