"""The clock tasking reads time from: the system clock in production, a manual one that tests
move (the scheduler wakes when it moves)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """Stands still until ``advance`` or ``set``; listeners (the scheduler) hear each move."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("the clock needs an aware start time")
        self._now = start
        self.listeners: list[Callable[[], None]] = []

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self.set(self._now + delta)

    def set(self, moment: datetime) -> None:
        self._now = moment
        for listener in self.listeners:
            listener()
