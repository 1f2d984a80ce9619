"""Settings of the triage service, from the environment (prefix TRIAGE_, nesting with __).

E.g. TRIAGE_KAFKA__BOOTSTRAP=broker:9092, TRIAGE_KAFKA__TOPIC_NAMESPACE=t123,
TRIAGE_POLICY_PATH=/etc/paicha/policy.yaml, TRIAGE_HTTP_PORT=8002, TRIAGE_STORE=rocksdb://.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from paicha_runtime.kafka import KafkaSettings


class TriageSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TRIAGE_", env_nested_delimiter="__", extra="ignore"
    )

    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    # The faust app id: consumer group and prefix of the tables' changelog topics.
    app_id: str = Field(default="paicha-triage", pattern=r"^[A-Za-z0-9._-]{1,100}$")
    # None means the packaged default (services/triage/policy/national-9th-edition.yaml).
    policy_path: Path | None = None
    http_host: str = "0.0.0.0"  # a service in a container listens on every interface
    http_port: int = Field(default=8002, ge=1, le=65535)
    data_dir: Path = Path("var/triage")
    # memory:// rebuilds every table from its changelog at start; rocksdb:// keeps them on disk.
    store: Literal["memory://", "rocksdb://"] = "memory://"
    replication_factor: int = Field(default=1, ge=1)
    # Records are handled in batches so one send round trip covers many messages.
    batch_size: int = Field(default=500, ge=1, le=10_000)
    batch_within_seconds: float = Field(default=0.05, gt=0, le=5)
    # How soon the group notices a dead worker (kill -9) and gives its partitions away.
    session_timeout_seconds: float = Field(default=60.0, ge=6, le=300)
    # A few ms of linger lets aiokafka fill batches; measured +5-10% records/s, within noise.
    producer_linger_seconds: float = Field(default=0.005, ge=0, le=1)
    send_attempts: int = Field(default=5, ge=1, le=20)
    # After a fatal send failure the worker stops; if stopping hangs, it exits this much later.
    fatal_exit_after_seconds: float = Field(default=15.0, gt=0)
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    source: str = "/paicha/triage"  # ce_source of every event triage produces

    @field_validator("store")
    @classmethod
    def _store_available(cls, value: str) -> str:
        # faust's rocksdb store needs the optional rocksdict package; say so at start.
        if value == "rocksdb://" and importlib.util.find_spec("rocksdict") is None:
            raise ValueError("store rocksdb:// needs the rocksdict package; use memory://")
        return value

    @property
    def topic_namespace(self) -> str | None:
        return self.kafka.topic_namespace or None
