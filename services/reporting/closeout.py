"""日清日结: closes each Asia/Shanghai day once, a little after local midnight. On start it
first closes the days it missed while down (since it first ran here), after the consumer has
caught up with the topics, so the figures are complete."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Protocol

from services.reporting.domain.days import local_day, next_midnight
from services.reporting.handlers import Reporting

log = logging.getLogger(__name__)


class FirstRun(Protocol):
    async def first_run(self, today: date) -> date: ...


class CloseoutScheduler:
    def __init__(self, reporting: Reporting, store: FirstRun, *, caught_up: asyncio.Event | None,
                 grace_s: float, catch_up_timeout_s: float,
                 clock: Callable[[], datetime]) -> None:
        self._reporting, self._store, self._caught_up = reporting, store, caught_up
        self._grace, self._catch_up_timeout, self._clock = grace_s, catch_up_timeout_s, clock
        self._stopping = asyncio.Event()
        self.first_run: date | None = None
        self.passes = 0  # completed close-out passes (tests and health wait on it)

    def stop(self) -> None:
        self._stopping.set()

    async def _sleep(self, seconds: float) -> bool:
        """Sleep unless stopped; True when stopping."""
        try:
            await asyncio.wait_for(self._stopping.wait(), max(0.0, seconds))
        except TimeoutError:
            return False
        return True

    async def _wait_caught_up(self) -> None:
        if self._caught_up is None:
            return
        try:
            await asyncio.wait_for(self._caught_up.wait(), self._catch_up_timeout)
        except TimeoutError:
            log.warning("consumer not caught up after %.0f s; closing with what is counted",
                        self._catch_up_timeout)

    async def close_missed(self) -> list[date]:
        """Close every day before today not closed yet (since the first run); returns them."""
        today = local_day(self._clock())
        if self.first_run is None:
            self.first_run = await self._store.first_run(today)
        day = max(self.first_run, self._reporting.campaign_start)
        closed = []
        while day < today:
            result = await self._reporting.close_day(day)
            if result.newly:
                closed.append(day)
            day += timedelta(days=1)
        return closed

    async def run(self) -> None:
        await self._wait_caught_up()
        backoff = 1.0
        while not self._stopping.is_set():
            try:
                await self.close_missed()
                self.passes += 1
                backoff = 1.0
            except Exception:  # Kafka or store away: try again, the day stays owed
                log.exception("close-out failed; retrying in %.0f s", backoff)
                if await self._sleep(backoff):
                    return
                backoff = min(backoff * 2, 60.0)
                continue
            now = self._clock()
            wake = next_midnight(now) + timedelta(seconds=self._grace)
            if await self._sleep((wake - now).total_seconds()):
                return
