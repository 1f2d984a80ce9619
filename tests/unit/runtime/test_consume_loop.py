"""paicha_runtime.consume: the retry backoff every consumer uses to never skip a message, and
the loop's stop. (The loop against a real broker: the consumers' integration tests.)"""

from __future__ import annotations

import asyncio

from paicha_runtime.consume import ConsumeLoop
from paicha_runtime.kafka import KafkaSettings


def loop() -> ConsumeLoop:
    return ConsumeLoop(KafkaSettings(), ["t"], group_id="g")


async def test_retrying_doubles_the_wait_up_to_its_bound() -> None:
    consumer = loop()
    waits: list[float] = []

    async def no_sleep(seconds: float) -> None:
        waits.append(seconds)

    consumer.sleep = no_sleep  # type: ignore[method-assign]
    attempts = 0
    async for _ in consumer.retrying(first=0.5, most=3.0):
        attempts += 1
        if attempts == 6:
            break
    assert waits == [0.5, 1.0, 2.0, 3.0, 3.0]


async def test_stop_ends_the_retries_and_a_wait_in_progress() -> None:
    consumer = loop()
    attempts = 0

    async def fail_forever() -> bool:
        nonlocal attempts
        async for _ in consumer.retrying(first=60):
            attempts += 1
        return False

    attempt = asyncio.create_task(fail_forever())
    await asyncio.sleep(0.05)
    consumer.stop()
    assert await asyncio.wait_for(attempt, 2) is False  # not after the 60 s wait
    assert attempts == 1 and consumer.stopping
