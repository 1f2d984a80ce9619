"""Base class of every public event: a frozen model that knows its CloudEvents type and topic."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict

CE_TYPE_PREFIX = "cn.paicha."


class Event(BaseModel):
    """One event type at one major version; subclasses set the three class variables."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_enum_values=False)

    ce_type: ClassVar[str]
    """CloudEvents type, ``cn.paicha.<service>.<entity>.<past-tense-verb>.v<major>``."""
    topic: ClassVar[str]
    """Logical topic name in ``contracts.topics`` (before any test namespace)."""
    key_field: ClassVar[str]
    """The field whose value is the Kafka record key (the entity id)."""

    def entity_key(self) -> str:
        """The Kafka record key for this event (person key, case id, task id, ...)."""
        return str(getattr(self, self.key_field))


class Model(BaseModel):
    """Frozen, closed nested object inside an event."""

    model_config = ConfigDict(frozen=True, extra="forbid")
