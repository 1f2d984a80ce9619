"""What the HTTP API sees of the worker it runs in: publishing a designation with the worker's
own producer, reading the designations and downgrades tables, and readiness checks."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from tenacity import AsyncRetrying, stop_after_attempt, wait_exponential

from contracts.envelope import encode
from contracts.events import RiskAreaDesignated
from paicha_runtime.http import ProblemError, ReadinessCheck

from .downgrades import all_downgrades
from .mapping import notices_events

if TYPE_CHECKING:
    from services.triage.app import Triage

log = logging.getLogger(__name__)


class WorkerPort:
    def __init__(self, triage: Triage) -> None:
        self.triage = triage

    async def publish(self, event: RiskAreaDesignated, event_id: str) -> None:
        t = self.triage
        msg = encode(event, source=t.settings.source, key=event.area_code, event_id=event_id,
                     time=event.designated_at)
        try:
            async for attempt in AsyncRetrying(stop=stop_after_attempt(3), reraise=True,
                                               wait=wait_exponential(multiplier=0.2, max=2)):
                with attempt:
                    await asyncio.wait_for(t.app.producer.send_and_wait(
                        t.topics.risk_areas, msg.key, msg.value, None, None, msg.headers), 10)
        except Exception as exc:  # noqa: BLE001 - any send failure is a 503 for the caller
            log.error("could not publish designation %s/%s: %r", event.area_code,
                      event.notice_id, exc)
            raise ProblemError(503, "kafka_unavailable",
                               "the designation could not be published; retry later",
                               headers={"Retry-After": "5"}) from None

    def designations(self) -> list[RiskAreaDesignated]:
        return [e for raw in list(self.triage.designations_by_area.values())
                for e in notices_events(raw)]

    def downgrades(self) -> list[dict[str, Any]]:
        return all_downgrades(list(self.triage.downgrade_notices_by_case.values()))

    async def _kafka(self) -> bool:
        producer: Any = self.triage.app.producer
        client = producer._ensure_producer().client  # faust keeps the aiokafka client private
        return bool(await asyncio.wait_for(client.force_metadata_update(), 3))

    async def _tables(self) -> bool:
        # During a rebalance the tables are being recovered and partitions move.
        return not self.triage.app.rebalancing

    def readiness_checks(self) -> dict[str, ReadinessCheck]:
        return {"kafka": self._kafka, "tables": self._tables}
