"""Reporting settings from the environment: prefix ``REPORTING_``, nested with ``__`` (e.g.
``REPORTING_KAFKA__BOOTSTRAP``, ``REPORTING_CAMPAIGN_START=2022-07-01``)."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from paicha_runtime.kafka import KafkaSettings
from paicha_runtime.mongo import MongoSettings

_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")
_PLACEHOLDERS = ("", "changeme", "secret", "password", "token", "admin", "test", "dev")
PLACEHOLDER_HASHES = frozenset(hashlib.sha256(p.encode()).hexdigest() for p in _PLACEHOLDERS)


class HttpSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = 8004


class ReportingSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REPORTING_", env_nested_delimiter="__",
                                      extra="ignore")

    environment: Literal["development", "test", "production"] = "production"
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    mongo: MongoSettings = Field(default_factory=lambda: MongoSettings(database="paicha_reporting"))
    http: HttpSettings = Field(default_factory=HttpSettings)
    # Cumulative figures count from this Asia/Shanghai day (the seed's "七月以来").
    campaign_start: date = date(2022, 7, 1)
    county_code: str = "130826"
    county_short_name: Annotated[str, Field(min_length=1, max_length=4)] = "丰"
    # SHA-256 (hex) of the admin bearer token: close-out and rebuild routes need it.
    admin_token_hash: str | None = None
    # When set, reading reports needs this token (or the admin one); unset, reports are open
    # (they carry counts only, no PII).
    reader_token_hash: str | None = None
    consumer_group: str = "paicha-reporting"
    create_topics: bool = True
    facts_collection: str = "reporting_facts"
    closeouts_collection: str = "reporting_closeouts"
    source: str = "/paicha/reporting"
    # Close the day this long after local midnight (events of 23:59 still in flight).
    close_grace_s: Annotated[float, Field(ge=0)] = 60.0
    # Close-out waits at most this long for the consumer to catch up after a restart.
    catch_up_timeout_s: Annotated[float, Field(gt=0)] = 300.0
    close_out: bool = True
    # Reports reuse counters derived up to this long ago while events keep arriving.
    snapshot_max_age_s: Annotated[float, Field(ge=0)] = 2.0
    publish_timeout_s: Annotated[float, Field(gt=0)] = 15.0
    log_level: str = "INFO"

    @field_validator("admin_token_hash", "reader_token_hash")
    @classmethod
    def _hash(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not _HEX64.match(value):
            raise ValueError("a token hash is 64 hex digits (SHA-256); see `paicha token new`")
        return value.lower()

    @model_validator(mode="after")
    def _no_placeholder(self) -> ReportingSettings:
        if self.environment != "development" and (
                self.admin_token_hash in PLACEHOLDER_HASHES
                or self.reader_token_hash in PLACEHOLDER_HASHES):
            raise ValueError("token hash of a placeholder token: make a real one with "
                             "`paicha token new --feed admin`")
        return self
