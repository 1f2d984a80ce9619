"""Publishing a batch: failed sends are retried alone, and persistent failure is reported so
the worker can stop instead of acknowledging messages whose output never left."""

from __future__ import annotations

import asyncio

import pytest

from services.triage.adapters.publisher import KafkaPublisher, PublishFailed
from services.triage.messages import Outgoing


def messages(n: int) -> list[Outgoing]:
    return [Outgoing("cases", f"k{i}".encode(), b"{}", []) for i in range(n)]


class FlakyBroker:
    """Fails the first `failures` deliveries of key k1, or every one when failures < 0."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.delivered: list[bytes] = []
        self.attempts = 0

    async def start(self, message: Outgoing):
        future = asyncio.get_running_loop().create_future()
        if message.key == b"k1":
            self.attempts += 1
            if self.failures < 0 or self.attempts <= self.failures:
                future.set_exception(ConnectionError("broker went away"))
                return future
        self.delivered.append(message.key)
        future.set_result(None)
        return future


async def test_only_the_failed_sends_are_retried():
    broker = FlakyBroker(failures=2)
    await KafkaPublisher(broker.start, attempts=5, max_wait=0.01).publish(messages(3))
    assert sorted(broker.delivered) == [b"k0", b"k1", b"k2"]
    assert broker.attempts == 3


async def test_a_send_that_keeps_failing_raises_publish_failed():
    broker = FlakyBroker(failures=-1)
    with pytest.raises(PublishFailed, match="broker went away"):
        await KafkaPublisher(broker.start, attempts=3, max_wait=0.01).publish(messages(2))
    assert broker.attempts == 3


async def test_nothing_to_publish_sends_nothing():
    broker = FlakyBroker(failures=-1)
    await KafkaPublisher(broker.start).publish([])
    assert broker.attempts == 0
