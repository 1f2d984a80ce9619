"""Publishes DailyReportClosed with a deterministic event id per date (a re-close after a crash
is a duplicate downstream) through an idempotent producer, acks=all."""

from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaProducer

from contracts.envelope import derived_event_id, encode
from contracts.events import DailyReportClosed
from paicha_runtime.kafka import KafkaSettings


def closeout_event_id(event: DailyReportClosed) -> str:
    return derived_event_id("reporting.daily-report.closed", event.report_date.isoformat())


class DailyPublisher:
    def __init__(self, settings: KafkaSettings, topic: str, *, source: str,
                 timeout_s: float = 15.0) -> None:
        self._settings, self._topic, self._source = settings, topic, source
        self._timeout = timeout_s
        self._producer: AIOKafkaProducer | None = None
        self._lock = asyncio.Lock()

    async def _ensure(self) -> AIOKafkaProducer:
        async with self._lock:
            if self._producer is None:
                producer = AIOKafkaProducer(**self._settings.client_kwargs(), acks="all",
                                            enable_idempotence=True,
                                            max_request_size=4 * 1024 * 1024)
                try:
                    await producer.start()
                except BaseException:
                    await producer.stop()
                    raise
                self._producer = producer
            return self._producer

    async def publish(self, event: DailyReportClosed) -> str:
        """Send and wait for the ack; returns the event id. Raises KafkaError / TimeoutError."""
        event_id = closeout_event_id(event)
        message = encode(event, source=self._source, key=event.entity_key(), event_id=event_id,
                         time=event.closed_at)
        async with asyncio.timeout(self._timeout):
            producer = await self._ensure()
            await producer.send_and_wait(self._topic, message.value, key=message.key,
                                         headers=message.headers)
        return event_id

    async def stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None
