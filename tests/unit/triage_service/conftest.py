"""A triage worker per test: faust in-memory store, a memory publisher instead of Kafka, a fixed
clock and a recorded fatal hook, driven through `agent.test_context()`."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime

import pytest

from services.triage.adapters.publisher import MemoryPublisher
from services.triage.app import Triage, create_triage
from services.triage.domain import default_policy
from services.triage.settings import TriageSettings

from .builders import T0

PARTITIONS = 3
NOW = T0.replace(hour=12)


class FatalRecorder:
    def __init__(self) -> None:
        self.errors: list[BaseException] = []

    def __call__(self, exc: BaseException) -> None:
        self.errors.append(exc)


@pytest.fixture
def triage(tmp_path) -> Iterator[Triage]:
    settings = TriageSettings(app_id=f"t-triage-{uuid.uuid4().hex[:8]}", store="memory://",
                              data_dir=tmp_path, batch_within_seconds=0.01)
    yield create_triage(settings, policy=default_policy(), partitions=PARTITIONS,
                        publisher=MemoryPublisher(), on_fatal=FatalRecorder(),
                        clock=lambda: NOW)


def sent(triage: Triage, topic: str | None = None) -> list:
    publisher = triage.publisher
    assert isinstance(publisher, MemoryPublisher)
    return publisher.on(topic) if topic else list(publisher.sent)


def ce_types(messages: list) -> list[str]:
    return [dict(m.headers)["ce_type"].decode() for m in messages]


def now() -> datetime:
    return NOW


async def put_on(agent, topic: str, value: bytes, *, key: bytes | None = None,
                 headers=None, partition: int = 0) -> None:
    """agent.put with the message's topic set: test_context names every message of a
    multi-topic channel `<internal>`, and the case agent tells resolutions apart by topic."""
    from faust.types import Message

    channel = agent.stream().channel
    message = Message(topic=topic, partition=partition, offset=agent.sent_offset,
                      timestamp=0.0, timestamp_type=0, headers=headers, key=key, value=value,
                      checksum=b"", serialized_key_size=0, serialized_value_size=0,
                      generation_id=agent.app.consumer_generation_id)
    await channel.put(await channel.decode(message))
    agent.sent_offset += 1
    async with agent.new_value_processed:
        await agent.new_value_processed.wait()
