"""Settings of the triage service, from the environment (prefix TRIAGE_, nesting with __).

E.g. TRIAGE_KAFKA__BOOTSTRAP=broker:9092, TRIAGE_KAFKA__TOPIC_NAMESPACE=t123,
TRIAGE_POLICY_PATH=/etc/paicha/policy.yaml, TRIAGE_HTTP_PORT=8002, TRIAGE_STORE=rocksdb://,
TRIAGE_ADMIN_TOKEN_HASH=<sha256>, TRIAGE_TOKENS='{"county-cdc": {"sha256": "<sha256>",
"scopes": ["risk-areas:admin"]}}'. Outside development, placeholder token hashes are refused.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from paicha_runtime.kafka import KafkaSettings

from .auth import ADMIN, Scope, TokenGrant

# Tokens people type when they do not mean it; a hash of one is refused outside development.
PLACEHOLDERS = frozenset({
    "", "changeme", "change-me", "change_me", "secret", "password", "placeholder", "todo",
    "xxx", "test", "dev", "development", "default", "example", "token", "admin",
})
PLACEHOLDER_HASHES = frozenset(hashlib.sha256(p.encode()).hexdigest() for p in PLACEHOLDERS)
_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")
Owner = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._-]{1,64}$")]


def _check_hash(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if not _HEX64.match(value):
        raise ValueError("a token hash is 64 hex digits (SHA-256 of the token)")
    return value.lower()


class TokenHash(BaseModel):
    """One bearer token: its SHA-256 (hex) and the scopes it grants."""

    model_config = ConfigDict(extra="forbid")

    sha256: str
    scopes: list[Scope] = Field(min_length=1)

    @field_validator("sha256")
    @classmethod
    def _hex(cls, value: str) -> str:
        checked = _check_hash(value)
        if checked is None:
            raise ValueError("sha256 is required")
        return checked


class TriageSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TRIAGE_", env_nested_delimiter="__", extra="ignore"
    )

    environment: Literal["development", "test", "production"] = "production"
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    # SHA-256 of the admin token (owner "admin", every scope); the local stack shares intake's.
    admin_token_hash: str | None = None
    # More tokens by owner name (the owner is recorded as `designated_by`).
    tokens: dict[Owner, TokenHash] = Field(default_factory=dict)
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

    @field_validator("admin_token_hash")
    @classmethod
    def _admin(cls, value: str | None) -> str | None:
        return _check_hash(value)

    @model_validator(mode="after")
    def _no_placeholder_tokens(self) -> TriageSettings:
        if ADMIN in self.tokens:
            raise ValueError(f"the token owner name {ADMIN!r} is TRIAGE_ADMIN_TOKEN_HASH's")
        if self.environment == "development":
            return self
        weak = [g.owner for g in self.token_grants() if g.sha256 in PLACEHOLDER_HASHES]
        if weak:
            raise ValueError(f"token hash(es) of a placeholder token for {', '.join(weak)}: "
                             "make real tokens (python -c 'import secrets; print(secrets."
                             "token_urlsafe(32))') or set TRIAGE_ENVIRONMENT=development")
        return self

    def token_grants(self) -> list[TokenGrant]:
        grants = [TokenGrant(owner, t.sha256, frozenset(t.scopes))
                  for owner, t in sorted(self.tokens.items())]
        if self.admin_token_hash:
            grants.append(TokenGrant(ADMIN, self.admin_token_hash, frozenset(Scope)))
        return grants

    @property
    def topic_namespace(self) -> str | None:
        return self.kafka.topic_namespace or None
