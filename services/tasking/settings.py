"""tasking settings from the environment: prefix ``TASKING_``, nested with ``__`` (e.g.
``TASKING_KAFKA__BOOTSTRAP``, ``TASKING_MONGO__URL``). Outside development an admin token hash is
required and may not be the hash of a placeholder."""

from __future__ import annotations

import hashlib
import re
from typing import Annotated, Literal

from pydantic import BaseModel, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from paicha_runtime.kafka import KafkaSettings
from paicha_runtime.mongo import MongoSettings

_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")
PLACEHOLDER_HASHES = frozenset(hashlib.sha256(p.encode()).hexdigest() for p in (
    "", "changeme", "secret", "password", "placeholder", "test", "dev", "admin", "token"))


class HttpSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = 8003


class TaskingSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TASKING_", env_nested_delimiter="__",
                                      extra="ignore")

    environment: Literal["development", "test", "production"] = "production"
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    mongo: MongoSettings = Field(default_factory=lambda: MongoSettings(database="paicha_tasking"))
    http: HttpSettings = Field(default_factory=HttpSettings)
    admin_token_hash: str | None = None
    policy_file: str | None = None  # default: the packaged national-9th-edition policy
    source: str = "/paicha/tasking"
    consumer_group: str = "paicha-tasking"
    consume: bool = True
    create_topics: bool = True
    publish_timeout_s: Annotated[float, Field(gt=0)] = 15.0
    outbox_sweep_s: Annotated[float, Field(gt=0)] = 10.0
    # How often the timers and gauges of the owned tasks are reloaded from the store (a write
    # another tasking process made through its API reaches the owner's timer heap this way).
    timer_resync_s: Annotated[float, Field(gt=0)] = 30.0
    # People (groups of one person's or case's messages) a consumer batch handles at once.
    consumer_concurrency: Annotated[int, Field(ge=1, le=1000)] = 32
    retry_after_s: Annotated[int, Field(ge=1)] = 5
    log_level: str = "INFO"

    @field_validator("admin_token_hash")
    @classmethod
    def _admin(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not _HEX64.match(value):
            raise ValueError("a token hash is 64 hex digits (SHA-256)")
        return value.lower()

    @model_validator(mode="after")
    def _secrets(self) -> TaskingSettings:
        if self.environment == "development":
            return self
        if self.admin_token_hash is None or self.admin_token_hash in PLACEHOLDER_HASHES:
            raise ValueError("TASKING_ADMIN_TOKEN_HASH is missing or the hash of a placeholder: "
                             "set the SHA-256 of a real admin token (`paicha token new --feed "
                             "admin` prints one), or TASKING_ENVIRONMENT=development")
        return self

    def group_id(self) -> str:
        if self.kafka.topic_namespace:  # a test namespace gets its own group, like its topics
            return f"{self.kafka.topic_namespace}.{self.consumer_group}"
        return self.consumer_group
