"""What the handlers need from the outside world (Kafka, the dedupe store), as protocols, and
the errors that mean "try again later" (answered 503 / retried by the consumer)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final, Literal, Protocol

from contracts.envelope import Message
from services.intake.domain.problems import Problem

PUBLISHING: Final = "publishing"
PUBLISHED: Final = "published"


class Unavailable(Exception):
    """A dependency did not answer; nothing was acknowledged that was not stored."""

    dependency = "dependency"


class PublishFailed(Unavailable):
    dependency = "kafka"


class StoreUnavailable(Unavailable):
    dependency = "store"


def sweep_slot(moment: datetime, slot_s: int) -> int:
    """The time slot a claim is filed under, so the sweep finds it by equality (no range)."""
    return int(moment.timestamp()) // slot_s


@dataclass(frozen=True, slots=True)
class Claim:
    record_id: str
    feed: str
    source_record_id: str
    received_at: datetime
    channel: str | None = None
    message: Message | None = None
    """The RecordReceived as encoded, kept so the sweep can publish it if this call cannot."""


@dataclass(frozen=True, slots=True)
class Mark:
    """A record Kafka acknowledged; ``received_at`` is its claim's (the slot it is filed in)."""

    record_id: str
    received_at: datetime


@dataclass(frozen=True, slots=True)
class Unconfirmed:
    """A claim without a published mark, found by the sweep."""

    record_id: str
    feed: str
    received_at: datetime
    event: str
    """The RecordReceived as JSON (the message value), to be encoded again (same headers)."""


@dataclass(frozen=True, slots=True)
class Existing:
    """What the store already knows about a record id."""

    state: Literal["publishing", "published"]
    received_at: datetime
    channel: str | None = None  # how it first came in (None in claims older than v1.1)


@dataclass(frozen=True, slots=True)
class Outgoing:
    topic: str
    message: Message


class DedupeStore(Protocol):
    async def claim(self, claims: Sequence[Claim]) -> Mapping[str, Existing]:
        """Store new claims ("publishing"); return what existed before for the others."""
        ...

    async def mark_published(self, marks: Sequence[Mark]) -> None: ...

    async def ping(self) -> bool: ...


class SweepStore(Protocol):
    """What the sweep needs: claims of a slot without a mark, and where it got to."""

    async def unconfirmed(self, slot: int) -> list[Unconfirmed]: ...

    async def mark_published(self, marks: Sequence[Mark]) -> None: ...

    async def sweep_cursor(self) -> int | None:
        """The last slot swept (None before the first sweep)."""
        ...

    async def save_sweep_cursor(self, slot: int) -> None: ...


class Publisher(Protocol):
    async def publish(self, messages: Sequence[Outgoing]) -> None:
        """Return once Kafka acknowledged every message; raise PublishFailed otherwise."""
        ...

    async def ping(self) -> bool: ...


@dataclass(slots=True)
class Candidate:
    """One input record before validation.

    ``position`` is the index in the pushed list, the Excel row, or the index in a Kafka batch
    message (None for a single-record message). ``fields`` is the record as decoded (anything
    but a mapping is refused as not_object); ``mapped`` says its keys are already canonical
    (file rows). ``problem`` is set when the input was refused before
    validation (not an object, oversized, ...). ``payload`` renders the original input as text,
    only when it is refused.
    """

    position: int | None
    fields: object
    payload: Callable[[], str]
    problem: Problem | None = None
    mapped: bool = False


@dataclass(frozen=True, slots=True)
class Rejection:
    position: int | None
    reason: str
    field: str | None
    message: str


@dataclass(slots=True)
class SubmitResult:
    received: int = 0
    accepted: int = 0
    republished: int = 0
    duplicates: list[int | None] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    record_ids: list[str] = field(default_factory=list)
    """Record ids accepted by this call (new or re-published), in input order."""
