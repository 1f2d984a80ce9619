"""The faust agents. Each takes a batch of messages without acknowledging them, handles them,
publishes what they produced, then applies the table writes and acknowledges.

Why manual acks: an exception inside a faust agent acknowledges its message, so a Kafka send
that fails would lose it. Here a send that still fails after retries calls `on_fatal` (the
worker stops) and the batch stays unacknowledged, so it is delivered again after the restart;
bad data never raises, it is published to the rejected topic like any other output.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .adapters.changelog import drain_buffer
from .adapters.publisher import PublishFailed
from .adapters.state import Book, CaseBook
from .designations import learn_designations, on_designation
from .handlers import utc_now
from .messages import Handled, Incoming

if TYPE_CHECKING:
    from .app import Triage

log = logging.getLogger(__name__)
AnyBook = Book | CaseBook


def incoming(event: Any) -> Incoming:
    message = event.message
    raw = event.headers or {}
    pairs = raw.items() if isinstance(raw, Mapping) else raw
    headers = {str(k): bytes(v) for k, v in pairs if v is not None}
    return Incoming(message.topic, message.partition, message.offset, event.key, event.value,
                    headers)


async def run_batches(triage: Triage, stream: Any,
                      books: Callable[[], Sequence[AnyBook]],
                      handle: Callable[[Incoming, Sequence[AnyBook]], Handled],
                      ) -> AsyncIterator[int]:
    """Handle the stream batch by batch; yields the size of each batch once it is done."""
    settings = triage.settings
    async for events in stream.noack_take(settings.batch_size, settings.batch_within_seconds):
        # Fresh books per batch: a batch cut short (rebalance, crash) leaves no pending write.
        batch_books = books()
        handled = Handled()
        for event in events:
            for book in batch_books:
                book.overlay.cause = event
            handled.extend(handle(incoming(event), batch_books))
        try:
            await triage.publisher.publish(handled.outputs)
        except PublishFailed as exc:
            triage.metrics.fatal.inc()
            log.critical("stopping: %d message(s) could not be published (%s); the batch is "
                         "not acknowledged and will be handled again", len(handled.outputs), exc)
            triage.on_fatal(exc)
            await asyncio.Event().wait()  # park until the worker stops; never acknowledge
        for book in batch_books:
            book.commit()
        # Table writes out of faust's buffer before the ack, so no commit can overtake them.
        await drain_buffer(triage.app.producer)
        for event in events:
            await stream.ack(event)
        if log.isEnabledFor(logging.DEBUG):
            log.debug("batch handled and acknowledged: %s", sorted(
                (e.message.topic, e.message.partition, e.message.offset) for e in events))
        triage.metrics.observe(handled, utc_now())
        for notice in handled.downgrades:
            # Never applied by the worker: a person reviews it (GET /v1/risk-areas/downgrades).
            log.warning("downgrade not applied: case %s stays %s, designation %s/%s would make "
                        "it %s", notice.case_id, notice.current.value, notice.area_code,
                        notice.notice_id, notice.would_be.value)
        yield len(events)


def install_agents(triage: Triage) -> None:
    app, topics = triage.app, triage.topics
    # Records are keyed by person key at intake, so they are consumed as they are: a
    # group_by repartition double-counted across a restart with faust 0.15 here.
    # Resolutions are keyed by person key on as many partitions: they reach the case too.
    case_channel = app.topic(topics.records, topics.commands, topics.resolutions,
                             key_serializer="raw", value_serializer="raw")
    area_channel = app.topic(topics.risk_areas, key_serializer="raw", value_serializer="raw")

    def case_books() -> Sequence[AnyBook]:
        return (CaseBook(triage.cases_by_person, triage.case_index),
                Book(triage.downgrade_notices_by_case, partition=0),
                Book(triage.designations_by_partition))

    def handle_case(msg: Incoming, books: Sequence[AnyBook]) -> Handled:
        cases, downgrades, applied = books
        assert isinstance(cases, CaseBook) and isinstance(downgrades, Book)
        assert isinstance(applied, Book)
        return triage.handlers.on_case_message(msg, cases, downgrades, applied)

    def handle_area(msg: Incoming, books: Sequence[AnyBook]) -> Handled:
        (areas,) = books
        assert isinstance(areas, Book)
        return on_designation(triage.handlers, msg, areas)

    async def triage_cases(stream: Any) -> AsyncIterator[int]:
        """Records, re-triage commands and resolutions of the partitions this worker owns."""
        async for size in run_batches(triage, stream, case_books, handle_case):
            yield size

    async def designate(stream: Any) -> AsyncIterator[int]:
        """Risk-area designations (one partition, so one worker fans them out)."""
        async for size in run_batches(triage, stream,
                                      lambda: (Book(triage.designations_by_area),), handle_area):
            yield size

    triage.agents["triage_cases"] = app.agent(case_channel, name="triage_cases")(triage_cases)
    triage.agents["designate"] = app.agent(area_channel, name="designate")(designate)

    async def rebuild_index() -> None:
        count = triage.case_index.rebuild(triage.cases_by_person)
        log.info("case index rebuilt after recovery: %d entries", count)

    triage.cases_by_person.on_recover(rebuild_index)

    async def learn_partition_designations() -> None:
        # A partition taken over may have been re-triaged for a designation this worker's
        # GlobalTable copy does not hold yet (it follows that changelog as a standby, so a
        # few seconds late): its records must be classified with it from the first one.
        learned = learn_designations(triage.designations_by_partition.values(),
                                     triage.designations_by_area, triage.registry)
        log.info("designations of the case partitions after recovery: %d new to this worker",
                 learned)

    triage.designations_by_partition.on_recover(learn_partition_designations)
