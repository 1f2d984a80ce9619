"""In-memory stand-ins for the dedupe store and the Kafka publisher (no I/O)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry

from contracts.envelope import decode_envelope
from contracts.events import Event
from contracts.topics import registry
from services.intake.handlers import Intake
from services.intake.metrics import IntakeMetrics
from services.intake.ports import (
    PUBLISHED,
    PUBLISHING,
    Claim,
    Existing,
    Mark,
    Outgoing,
    PublishFailed,
    StoreUnavailable,
    Unconfirmed,
    sweep_slot,
)

SECRET = b"unit-test-person-key-secret"
T0 = datetime(2022, 8, 1, 2, 30, 0, 123000, tzinfo=UTC)


class FakeStore:
    def __init__(self, slot_s: int = 60) -> None:
        self.claims: dict[str, Claim] = {}
        self.published: set[str] = set()
        self.marks: list[Mark] = []
        self.down = False
        self.mark_down = False
        self.slot_s = slot_s
        self.cursor: int | None = None

    async def claim(self, claims: Sequence[Claim]) -> Mapping[str, Existing]:
        if self.down:
            raise StoreUnavailable("store is down")
        existing = {}
        for claim in claims:
            before = self.claims.get(claim.record_id)
            if before is None:
                self.claims[claim.record_id] = claim
            else:
                state = PUBLISHED if claim.record_id in self.published else PUBLISHING
                existing[claim.record_id] = Existing(state, before.received_at, before.channel)
        return existing

    async def mark_published(self, marks: Sequence[Mark]) -> None:
        if self.mark_down:
            raise StoreUnavailable("store is down")
        self.published.update(m.record_id for m in marks)
        self.marks += marks

    async def unconfirmed(self, slot: int) -> list[Unconfirmed]:
        if self.down:
            raise StoreUnavailable("store is down")
        return [Unconfirmed(c.record_id, c.feed, c.received_at, c.message.value.decode())
                for c in self.claims.values() if c.message is not None
                and c.record_id not in self.published
                and sweep_slot(c.received_at, self.slot_s) == slot]

    async def sweep_cursor(self) -> int | None:
        return self.cursor

    async def save_sweep_cursor(self, slot: int) -> None:
        self.cursor = slot

    async def ping(self) -> bool:
        return not self.down


class FakePublisher:
    def __init__(self) -> None:
        self.sent: list[Outgoing] = []
        self.down = False

    async def publish(self, messages: Sequence[Outgoing]) -> None:
        if self.down:
            raise PublishFailed("kafka is down")
        self.sent.extend(messages)

    async def ping(self) -> bool:
        return not self.down

    def events(self, topic_suffix: str) -> list[Event]:
        return [decode_envelope(m.message.headers, m.message.value).event
                for m in self.sent if m.topic.endswith(topic_suffix)]


def make_intake(store: FakeStore, publisher: FakePublisher, **kwargs: object) -> Intake:
    return Intake(store=store, publisher=publisher, topics=registry(), secret=SECRET,
                  metrics=IntakeMetrics(CollectorRegistry()), clock=lambda: T0,
                  **kwargs)  # type: ignore[arg-type]
