"""Publishes records that were claimed but never confirmed published (a 503 mid-call, a crash
between claim and mark, a mark that failed), so nothing waits for the sender to push again.

Claims and marks are filed under the claim's time slot; on start and every
``INTAKE_SWEEP_INTERVAL_S`` the sweep takes each slot that ended more than
``INTAKE_SWEEP_GRACE_S`` ago (a call still running has had time to mark), publishes the stored
events of its claims without a mark (same record id, event id and received_at), marks them, and
moves its cursor. A record is thus published within grace + slot + interval of its claim.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from contracts.envelope import Message, encode
from contracts.events import RecordReceived
from services.intake.handlers import utc_now_ms
from services.intake.metrics import IntakeMetrics
from services.intake.ports import (
    Mark,
    Outgoing,
    Publisher,
    SweepStore,
    Unavailable,
    sweep_slot,
)

log = logging.getLogger(__name__)


class Sweeper:
    def __init__(self, store: SweepStore, publisher: Publisher, metrics: IntakeMetrics, *,
                 records_topic: str, interval_s: float, grace_s: float, slot_s: int,
                 lookback_s: float, source: str = "/paicha/intake",
                 clock: Callable[[], datetime] = utc_now_ms,
                 prepare: Callable[[], object] | None = None) -> None:
        self._store, self._publisher, self._metrics = store, publisher, metrics
        self._topic, self._interval, self._slot_s = records_topic, interval_s, slot_s
        self._grace, self._lookback = timedelta(seconds=grace_s), timedelta(seconds=lookback_s)
        self._clock, self._prepare, self._source = clock, prepare, source
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        """Sweep now, then every interval, until ``stop()``; an outage is retried next time."""
        while not self._stopping.is_set():
            try:
                if self._prepare is not None:
                    await self._prepare()  # type: ignore[misc]
                swept = await self.sweep_once()
                if swept:
                    log.info("published %d records whose call did not confirm them", swept)
            except Unavailable as exc:
                log.warning("sweep postponed: %s", exc)
            except Exception:  # a bug must not end the loop: log it and try again
                log.exception("sweep failed")
            try:
                await asyncio.wait_for(self._stopping.wait(), self._interval)
            except TimeoutError:
                pass

    async def sweep_once(self) -> int:
        """Sweep every due slot after the cursor; returns how many records it published."""
        now = self._clock()
        due = sweep_slot(now - self._grace, self._slot_s) - 1  # the last slot that has ended
        oldest = sweep_slot(now - self._grace - self._lookback, self._slot_s)
        cursor = await self._store.sweep_cursor()
        start = oldest if cursor is None else max(cursor + 1, oldest)
        if cursor is not None and cursor + 1 < oldest:
            log.warning("sweep resumes %d slots after its cursor: claims before %s are not "
                        "swept (INTAKE_SWEEP_LOOKBACK_S)", oldest - cursor - 1,
                        now - self._grace - self._lookback)
        total = 0
        for slot in range(start, due + 1):
            if self._stopping.is_set():
                break
            found = await self._store.unconfirmed(slot)
            if found:
                await self._publisher.publish([Outgoing(self._topic, self._encode(u.event))
                                               for u in found])
                await self._store.mark_published([Mark(u.record_id, u.received_at)
                                                  for u in found])
                for u in found:
                    self._metrics.swept.labels(u.feed).inc()
                total += len(found)
            await self._store.save_sweep_cursor(slot)
        return total

    def _encode(self, event: str) -> Message:
        """The message the call would have sent: same value, key, id, time and headers."""
        record = RecordReceived.model_validate_json(event)
        return encode(record, source=self._source, key=record.person_key,
                      event_id=record.record_id, time=record.received_at)
