"""Due timers in memory: a heap of (due time, task id) loaded from the store for the tasks this
process owns (only tasks with a pending timer are read; see ``services.tasking.ownership``), fed
by every task write, slept on until the next due time (woken early by an earlier timer or a moved
clock). Firing a timer is one version-guarded task write, so after a crash a timer that fired is
not due any more and one that did not is still in the store; two processes firing one timer
write it once (the loser re-reads and finds nothing due)."""

from __future__ import annotations

import asyncio
import heapq
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from services.tasking.clock import Clock, ManualClock
from services.tasking.metrics import TaskingMetrics

log = logging.getLogger(__name__)
MAX_SLEEP_S = 30.0  # re-check at least this often (a wall clock can jump)


class Scheduler:
    def __init__(self, clock: Clock, metrics: TaskingMetrics) -> None:
        self._clock, self._metrics = clock, metrics
        self._heap: list[tuple[datetime, str]] = []
        self._due: dict[str, datetime] = {}
        self._wake = asyncio.Event()
        self._stopping = False
        self.fire: Callable[[str], Awaitable[None]] | None = None
        if isinstance(clock, ManualClock):
            clock.listeners.append(self.wake)

    def wake(self) -> None:
        self._wake.set()

    def schedule(self, task_id: str, due: datetime | None) -> None:
        """The task's next due time (None: no timer). Older heap entries become stale."""
        if due is None:
            self._due.pop(task_id, None)
        elif self._due.get(task_id) != due:
            self._due[task_id] = due
            heapq.heappush(self._heap, (due, task_id))
            if self._heap[0] == (due, task_id):
                self._wake.set()
        self._metrics.timers_pending.set(len(self._due))

    def ensure(self, task_id: str, due: datetime) -> None:
        """A due time read from the store: kept unless the heap has an earlier one for the task
        (an early entry fires harmlessly: the write finds nothing due and re-reads the time)."""
        known = self._due.get(task_id)
        if known is None or due < known:
            self.schedule(task_id, due)

    def retain(self, keep: Callable[[str], bool]) -> None:
        """Forget the timers of tasks ``keep`` rejects (their partition moved to another
        process, which loads them from the store)."""
        self._due = {task_id: due for task_id, due in self._due.items() if keep(task_id)}
        self._heap = [(due, task_id) for task_id, due in self._due.items()]
        heapq.heapify(self._heap)
        self._metrics.timers_pending.set(len(self._due))

    def pending(self) -> dict[str, datetime]:
        return dict(self._due)

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def run(self) -> None:
        assert self.fire is not None, "bootstrap sets Scheduler.fire"
        while not self._stopping:
            now = self._clock.now()
            while self._heap and self._heap[0][0] <= now and not self._stopping:
                due, task_id = heapq.heappop(self._heap)
                if self._due.get(task_id) != due:
                    continue  # stale: the task was rescheduled since
                del self._due[task_id]
                try:
                    await self.fire(task_id)  # saves the task, which schedules its next timer
                    self._metrics.timers_fired.inc()
                except Exception:  # the store is away or a bug: try this timer again shortly
                    log.exception("timer of task %s failed; retrying in 5 s", task_id)
                    self.schedule(task_id, now + timedelta(seconds=5))
                    break
            self._metrics.timers_pending.set(len(self._due))
            sleep = MAX_SLEEP_S
            if self._heap:
                sleep = min(sleep, max((self._heap[0][0] - self._clock.now()).total_seconds(),
                                       0.0))
            if sleep > 0:
                try:
                    await asyncio.wait_for(self._wake.wait(), sleep)
                except TimeoutError:
                    pass
            self._wake.clear()
