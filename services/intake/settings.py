"""Intake settings from the environment: prefix ``INTAKE_``, nested with ``__`` (e.g.
``INTAKE_KAFKA__BOOTSTRAP``, ``INTAKE_FEED_TOKENS__ASSIST``). Outside development, empty or
placeholder secrets are refused at start."""

from __future__ import annotations

import hashlib
import re
from typing import Annotated, Literal

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from contracts.values import validate_area_code
from paicha_runtime.kafka import KafkaSettings
from paicha_runtime.mongo import MongoSettings

DEV_PERSON_KEY_SECRET = "paicha-development-only-person-key-secret"
PLACEHOLDERS = frozenset({
    "", "changeme", "change-me", "change_me", "secret", "password", "placeholder", "todo",
    "xxx", "test", "dev", "development", "default", "example", "token", "admin",
})
_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")
PLACEHOLDER_HASHES = frozenset(hashlib.sha256(p.encode()).hexdigest() for p in PLACEHOLDERS)


def _is_placeholder(secret: str) -> bool:
    text = secret.strip().lower()
    return text in PLACEHOLDERS or text.startswith(("changeme", "change-me", "<", "${"))


def _check_hash(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if not _HEX64.match(value):
        raise ValueError("a token hash is 64 hex digits (SHA-256); see `paicha token new`")
    return value.lower()


class HttpSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = 8001


class FeedTokenHashes(BaseModel):
    """SHA-256 (hex) of each feed's bearer token; a feed without one cannot push."""

    bigdata: str | None = None
    assist: str | None = None
    selfreport: str | None = None
    screening: str | None = None
    contacts: str | None = None

    @field_validator("*")
    @classmethod
    def _hex(cls, value: str | None) -> str | None:
        return _check_hash(value)


class IntakeSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="INTAKE_", env_nested_delimiter="__",
                                      extra="ignore")

    environment: Literal["development", "test", "production"] = "production"
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    mongo: MongoSettings = Field(default_factory=MongoSettings)
    http: HttpSettings = Field(default_factory=HttpSettings)
    feed_tokens: FeedTokenHashes = Field(default_factory=FeedTokenHashes)
    admin_token_hash: str | None = None
    person_key_secret: SecretStr = SecretStr("")
    source: str = "/paicha/intake"
    # County of records that give no current county, township or village code.
    default_county_code: str | None = None
    max_records_per_call: Annotated[int, Field(ge=1)] = 5000
    max_record_bytes: Annotated[int, Field(ge=1024)] = 64 * 1024
    max_body_bytes: Annotated[int, Field(ge=1024)] = 32 * 1024 * 1024
    max_file_bytes: Annotated[int, Field(ge=1024)] = 50 * 1024 * 1024
    max_errors_listed: Annotated[int, Field(ge=1)] = 5000
    publish_timeout_s: Annotated[float, Field(gt=0)] = 15.0
    retry_after_s: Annotated[int, Field(ge=1)] = 5
    consume_raw: bool = True
    consumer_group: str = "paicha-intake"
    create_topics: bool = True
    # The sweep of claimed-but-unconfirmed records (see sweeper.py): how often it runs, how old
    # a claim must be (a call still running has had time to confirm), the slot size claims are
    # filed under (keep it while records are in flight), how far back a first sweep looks.
    sweep_interval_s: Annotated[float, Field(gt=0)] = 30.0
    sweep_grace_s: Annotated[float, Field(ge=0)] = 60.0
    sweep_slot_s: Annotated[int, Field(ge=1)] = 60
    sweep_lookback_s: Annotated[float, Field(ge=0)] = 3600.0
    sweep: bool = True
    # Arrival and other past times may be at most this far ahead of intake's clock.
    clock_skew_s: Annotated[float, Field(ge=0)] = 300.0
    # A raw-topic {"records": [...]} message may be this large (each record: max_record_bytes);
    # the broker's message.max.bytes (1 MiB by default) bounds it first.
    max_raw_message_bytes: Annotated[int, Field(ge=1024)] = 16 * 1024 * 1024
    dedupe_collection: str = "intake_records"
    published_collection: str = "intake_published"
    sweep_collection: str = "intake_sweep"
    log_level: str = "INFO"

    @field_validator("admin_token_hash")
    @classmethod
    def _admin(cls, value: str | None) -> str | None:
        return _check_hash(value)

    @field_validator("default_county_code")
    @classmethod
    def _county(cls, value: str | None) -> str | None:
        return validate_area_code(value)[:6] if value else None

    @model_validator(mode="after")
    def _no_placeholder_secrets(self) -> IntakeSettings:
        if self.environment == "development":
            return self
        if _is_placeholder(self.person_key_secret.get_secret_value()) or len(
                self.person_key_secret.get_secret_value()) < 16:
            raise ValueError("INTAKE_PERSON_KEY_SECRET is empty, short or a placeholder: set a "
                             "random secret (python -c 'import secrets; print(secrets."
                             "token_hex(32))'), or INTAKE_ENVIRONMENT=development")
        hashes = {**self.feed_tokens.model_dump(), "admin": self.admin_token_hash}
        weak = [name for name, h in hashes.items() if h in PLACEHOLDER_HASHES]
        if weak:
            raise ValueError(f"token hash(es) of a placeholder token for {', '.join(weak)}: "
                             "make real tokens with `paicha token new`")
        return self

    def person_key_bytes(self) -> bytes:
        secret = self.person_key_secret.get_secret_value()
        if not secret and self.environment == "development":
            secret = DEV_PERSON_KEY_SECRET
        return secret.encode()
