"""Publishing a batch's messages: every send is started at once and awaited together; failed
sends are retried (tenacity) and, when they still fail, PublishFailed tells the caller to stop
the worker so the unacknowledged messages are delivered again."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from services.triage.messages import Outgoing

log = logging.getLogger(__name__)

# Starts one send and returns the future of its delivery (the faust/aiokafka producer's shape).
SendStarter = Callable[[Outgoing], Awaitable[Awaitable[Any]]]


class PublishFailed(Exception):
    """Kafka did not take the messages after every retry."""


class _Partial(Exception):
    def __init__(self, failed: list[Outgoing], first: BaseException) -> None:
        super().__init__(f"{len(failed)} send(s) failed: {first!r}")
        self.failed, self.first = failed, first


class Publisher(Protocol):
    async def publish(self, messages: Sequence[Outgoing]) -> None: ...


class KafkaPublisher:
    def __init__(self, start: SendStarter, *, attempts: int = 5, max_wait: float = 5.0) -> None:
        self._start, self._attempts, self._max_wait = start, attempts, max_wait

    async def _send_all(self, messages: list[Outgoing]) -> None:
        futures: list[Any] = []
        failed: list[Outgoing] = []
        first: BaseException | None = None
        for message in messages:
            try:
                futures.append((message, await self._start(message)))
            except Exception as exc:  # noqa: BLE001 - a refused send is retried like a failed one
                failed.append(message)
                first = first or exc
        results = await asyncio.gather(*(f for _, f in futures), return_exceptions=True)
        for (message, _), result in zip(futures, results, strict=True):
            if isinstance(result, BaseException):
                failed.append(message)
                first = first or result
        if failed:
            assert first is not None
            raise _Partial(failed, first)

    async def publish(self, messages: Sequence[Outgoing]) -> None:
        pending = list(messages)
        if not pending:
            return
        try:
            async for attempt in AsyncRetrying(
                stop=stop_after_attempt(self._attempts),
                wait=wait_exponential(multiplier=0.2, max=self._max_wait),
                retry=retry_if_exception_type(_Partial), reraise=True,
            ):
                with attempt:
                    try:
                        await self._send_all(pending)
                    except _Partial as partial:
                        # Only what failed is sent again; the rest is already on Kafka.
                        pending = partial.failed
                        log.warning("retrying %d send(s): %r", len(pending), partial.first)
                        raise
        except _Partial as exc:
            raise PublishFailed(str(exc)) from exc.first


class MemoryPublisher:
    """Keeps what was published (unit tests); `fail` makes the next publish raise."""

    def __init__(self) -> None:
        self.sent: list[Outgoing] = []
        self.fail = False

    async def publish(self, messages: Sequence[Outgoing]) -> None:
        if self.fail:
            raise PublishFailed("publishing disabled by the test")
        self.sent.extend(messages)

    def on(self, topic: str) -> list[Outgoing]:
        return [m for m in self.sent if m.topic == topic]
