"""A batch is acknowledged only once its table writes have left faust's producer buffer,
even when faust's own flush gives up early (it returns after 100 ms without a send)."""

from __future__ import annotations

import asyncio

import pytest

from services.triage.adapters.changelog import drain_buffer


class SlowBuffer:
    """Sends one message per flush call, like faust's flush returning on its 100 ms timeout."""

    def __init__(self, pending: int) -> None:
        self.size = pending
        self.flushes = 0

    async def flush(self) -> None:
        self.flushes += 1
        await asyncio.sleep(0)
        if self.size:
            self.size -= 1


class Producer:
    def __init__(self, buffer: SlowBuffer) -> None:
        self.buffer = buffer


async def test_waits_until_every_buffered_write_is_sent():
    buffer = SlowBuffer(pending=5)
    await drain_buffer(Producer(buffer))
    assert buffer.size == 0 and buffer.flushes == 5


async def test_an_empty_buffer_costs_nothing():
    buffer = SlowBuffer(pending=0)
    await drain_buffer(Producer(buffer))
    assert buffer.flushes == 0


async def test_a_stuck_buffer_is_an_error_not_a_silent_ack():
    class Stuck(SlowBuffer):
        async def flush(self) -> None:
            await asyncio.sleep(0)

    with pytest.raises(TimeoutError):
        await drain_buffer(Producer(Stuck(pending=1)), timeout_s=0.05)
