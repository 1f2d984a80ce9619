"""A failed send discards the producer, so the next send starts a new one (a new producer id):
an idempotent producer left refusing every send after a broker restart would otherwise keep
tasking's events in their outboxes for good."""

from __future__ import annotations

import asyncio
from typing import Any

from aiokafka.errors import OutOfOrderSequenceNumber

from contracts.envelope import Message
from paicha_runtime.kafka import KafkaSettings
from paicha_runtime.producer import AckedProducer, KafkaUnacknowledged


class _Producer:
    def __init__(self, fail: bool) -> None:
        self.fail, self.stopped = fail, False

    async def send(self, topic: str, value: bytes, **kwargs: Any) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        if self.fail:
            future.set_exception(OutOfOrderSequenceNumber())
        else:
            future.set_result(None)
        return future

    async def stop(self) -> None:
        self.stopped = True


async def test_a_refused_send_starts_a_new_producer_next_time() -> None:
    made: list[_Producer] = []
    acked = AckedProducer(KafkaSettings(bootstrap="127.0.0.1:1"), [], create_topics=False)

    async def ensure() -> Any:
        async with acked._lock:
            if acked._producer is None:
                made.append(_Producer(fail=not made))  # the first one is broken
                acked._producer = made[-1]  # type: ignore[assignment]
            return acked._producer

    acked._ensure = ensure  # type: ignore[method-assign]
    message = Message(key=b"k", value=b"v", headers=[])
    try:
        await acked.send_all([("t", message)])
    except KafkaUnacknowledged as exc:
        assert "OutOfOrderSequenceNumber" in str(exc)
    else:
        raise AssertionError("a refused send must raise")
    assert made[0].stopped
    await acked.send_all([("t", message)])  # a new producer takes it
    assert len(made) == 2 and not made[1].stopped
