"""The timer heap sleeps until the next due time, wakes for an earlier timer or a moved clock,
fires each due timer once and drops stale ones; settings refuse placeholder secrets."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client import CollectorRegistry
from pydantic import ValidationError

from services.tasking.clock import ManualClock
from services.tasking.metrics import TaskingMetrics
from services.tasking.scheduler import Scheduler
from services.tasking.settings import TaskingSettings

T0 = datetime(2022, 6, 1, tzinfo=UTC)


async def _settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


async def test_timers_fire_in_due_order_once_when_the_clock_reaches_them() -> None:
    clock = ManualClock(T0)
    scheduler = Scheduler(clock, TaskingMetrics(CollectorRegistry()))
    fired: list[str] = []

    async def fire(task_id: str) -> None:
        fired.append(task_id)

    scheduler.fire = fire
    scheduler.schedule("late", T0 + timedelta(hours=2))
    scheduler.schedule("early", T0 + timedelta(hours=1))
    scheduler.schedule("gone", T0 + timedelta(minutes=30))
    scheduler.schedule("gone", None)  # the task closed: its heap entry is stale
    runner = asyncio.create_task(scheduler.run())
    try:
        await _settle()
        assert fired == []
        clock.advance(timedelta(hours=1))
        await _settle()
        assert fired == ["early"]
        scheduler.schedule("new", T0 + timedelta(minutes=61))  # earlier than the sleeping head
        clock.advance(timedelta(hours=1))
        await _settle()
        assert fired == ["early", "new", "late"]
        clock.advance(timedelta(days=1))
        await _settle()
        assert fired == ["early", "new", "late"] and scheduler.pending() == {}
    finally:
        scheduler.stop()
        await asyncio.wait_for(runner, 2)


async def test_a_failing_timer_is_retried_not_lost() -> None:
    clock = ManualClock(T0)
    scheduler = Scheduler(clock, TaskingMetrics(CollectorRegistry()))
    calls: list[str] = []

    async def fire(task_id: str) -> None:
        calls.append(task_id)
        if len(calls) == 1:
            raise ConnectionError("store away")

    scheduler.fire = fire
    scheduler.schedule("t", T0)
    runner = asyncio.create_task(scheduler.run())
    try:
        await _settle()
        assert calls == ["t"] and scheduler.pending() == {"t": T0 + timedelta(seconds=5)}
        clock.advance(timedelta(seconds=5))
        await _settle()
        assert calls == ["t", "t"] and scheduler.pending() == {}
    finally:
        scheduler.stop()
        await asyncio.wait_for(runner, 2)


def test_settings_refuse_a_missing_or_placeholder_admin_hash_outside_development() -> None:
    with pytest.raises(ValidationError, match="TASKING_ADMIN_TOKEN_HASH is missing"):
        TaskingSettings(_env_prefix="IGNORED_", environment="production")  # type: ignore[call-arg]
    weak = hashlib.sha256(b"admin").hexdigest()
    with pytest.raises(ValidationError, match="placeholder"):
        TaskingSettings(_env_prefix="IGNORED_", admin_token_hash=weak)  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match="64 hex digits"):
        TaskingSettings(_env_prefix="IGNORED_", admin_token_hash="abc")  # type: ignore[call-arg]
    dev = TaskingSettings(_env_prefix="IGNORED_", environment="development")  # type: ignore[call-arg]
    assert dev.http.port == 8003 and dev.mongo.database == "paicha_tasking"
    assert dev.group_id() == "paicha-tasking"
