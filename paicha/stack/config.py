"""Settings of the local stack: ports, cache and data directories (env prefix PAICHA_STACK_)."""

from __future__ import annotations

import os
from pathlib import Path

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
    intake_port: int = 8001
    triage_port: int = 8002
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
