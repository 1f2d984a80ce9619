"""Fixes to faust's consumer, so that no message reaching triage around a rebalance or a stop
is committed without being handled (docs/triage.md, "Rebalances and designations"): 1 and 2
below; 3, fetch gaps are not counted as handled and the commit never passes an unacknowledged
committed offset (`RewindingConsumer._add_gap`, `_new_offset`, `perform_seek`); 4, a partition
stuck behind such a hole is read again from its committed offset (`HoleWatch`).

1. Never count a message the stream skipped as acknowledged (`skipped_by_the_stream`).
faust-streaming 0.15.3's `Stream.__aiter__` skips a message taken from an agent's queue while flow
control is off (a rebalance or a stop has begun) or whose `generation_id` is stale, and then, in
its `finally`, *acknowledges* it like a handled one ("We want to ack the filtered out message
otherwise the lag would increase"). The consumer puts that offset among the acked ones, and the
next commit goes past it. Triage takes its input in batches (`noack_take`), so a batch in hand
when a rebalance starts is handled and acked after the skip: the commit then covers the skipped
message that follows it, which no worker ever handles. Seen as records with no case after one of
two workers got SIGTERM (the stopping worker's final commit covered them; the survivor resumed
past them). The message, never handled, is read again after the seek to committed that follows
the rebalance, or by the partition's next owner.

2. Rewind the input partitions that have no committed offset (or offset 0).

The bug this fixes (faust-streaming 0.15.3 with aiokafka): after every assignment, and after
table recovery, faust calls `Consumer.perform_seek()` to put each partition back at its committed
offset, because the messages it fetched meanwhile were dropped unprocessed (the stream skips a
message while flow control is off or its `generation_id` is stale, and the rebalance flushes the
buffers). aiokafka's `seek_to_committed` only seeks when the committed offset is `> 0`
(`if offset and offset > 0: seek_to(...)`), so a partition that has no committed offset yet, or
offset 0, keeps the position the fetcher had reached: what was fetched and dropped there is never
read again, and later acks commit past it. Seen with two workers: the designation sent while the
group rebalanced was offset 0 of the (never yet committed) risk-areas partition; the new owner
fetched it during recovery ("Adding fetched record ... with offset 0"), dropped it, then "Seeking
to committed of partition ... None" left it at offset 1 for good.

The fix: after faust's seek, every partition of an acking (agent input) topic whose committed
offset is missing or 0 is sought to 0, which is what `auto_offset_reset="earliest"` means for it
(a log whose start was deleted answers out-of-range and aiokafka resets to its earliest offset).
Handling those messages again is at-least-once redelivery, which every triage handler absorbs.
Changelog partitions are left to faust's table recovery, which seeks them itself.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import faust
import mode
from faust.transport.consumer import ensure_TP
from faust.transport.drivers import aiokafka as aiokafka_driver

log = logging.getLogger(__name__)


def partitions_to_rewind(committed: Mapping[Any, int | None], *, acking: Any,
                         auto_offset_reset: str) -> list[Any]:
    """The partitions `seek_to_committed` left unsought that must restart from offset 0:
    those of acking topics with no committed offset or offset 0 (only under "earliest")."""
    if auto_offset_reset != "earliest":
        return []
    return [tp for tp, offset in committed.items() if not offset and acking(tp.topic)]


def skipped_by_the_stream(message: Any, app: Any) -> bool:
    """Whether `message` is being acknowledged only because the stream skipped it: it never
    started processing (`tracked` is set when it does) and the stream's skip condition holds
    (flow control off, or a generation older than the consumer's). Acks without processing for
    other reasons (a key or value that does not decode) keep flowing."""
    return (not message.tracked
            and (not app.flow_control.is_active()
                 or message.generation_id != app.consumer_generation_id))


class HoleWatch:
    """Tells when an input partition is stuck behind a hole: its committed offset has not moved
    for `patience` observations in a row, the message at that offset is neither acknowledged nor
    being handled, and the consumer's position is past it (so it was fetched, then lost on its
    way to the stream). Then the partition must be read again from its committed offset."""

    def __init__(self, patience: int = 3) -> None:
        self.patience = patience
        self._stuck: dict[Any, tuple[int, int]] = {}  # tp -> (committed, observations)

    def observe(self, tp: Any, *, committed: int | None, position: int | None,
                handled: bool, in_flight: bool) -> int | None:
        """The offset to seek `tp` back to, or None. `position`: the last offset fetched;
        `handled`: the committed offset's message is acknowledged; `in_flight`: a message of
        `tp` is being handled."""
        if committed is None or position is None or position <= committed or handled \
                or in_flight:
            self._stuck.pop(tp, None)
            return None
        last = self._stuck.get(tp)
        seen = last[1] + 1 if last is not None and last[0] == committed else 1
        if seen >= self.patience:
            self._stuck.pop(tp, None)
            return committed
        self._stuck[tp] = (committed, seen)
        return None

    def forget(self) -> None:
        self._stuck.clear()


class RewindingConsumer(aiokafka_driver.Consumer):  # type: ignore[misc]
    """faust's aiokafka consumer that never commits an input partition past a message the
    stream did not handle, reads such a message again, and seeks never-committed input
    partitions to 0 after a rebalance."""

    #: seconds between two looks for stuck input partitions
    hole_check_interval = 5.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.holes = HoleWatch()

    def ack(self, message: Any) -> bool:
        if skipped_by_the_stream(message, self.app):
            log.info("not acknowledging %s offset %s: skipped by the stream during a "
                     "rebalance or stop, so it was not handled", message.tp, message.offset)
            return False
        return bool(super().ack(message))

    async def seek_to_committed(self) -> Mapping[Any, int]:
        committed: Mapping[Any, int] = await super().seek_to_committed()
        for tp in partitions_to_rewind(committed, acking=self.app.topics.acks_enabled_for,
                                       auto_offset_reset=self.app.conf.consumer_auto_offset_reset):
            log.info("rewinding %s to offset 0: it has no committed offset, so faust's "
                     "seek to committed left it past what the rebalance dropped", tp)
            await self.seek(ensure_TP(tp), 0)
        return committed

    async def perform_seek(self) -> None:
        """faust's seek to committed, then: an input partition never committed gets its log
        start as its committed offset in faust's books (faust leaves None there), so that the
        commit and the hole watch below hold from its first message too."""
        await super().perform_seek()
        never = [tp for tp in self.assignment() if self.app.topics.acks_enabled_for(tp.topic)
                 and self._committed_offset.get(tp) is None]
        if never:
            for tp, start in (await self.earliest_offsets(*never)).items():
                if self._committed_offset.get(ensure_TP(tp)) is None:  # not committed meanwhile
                    self._committed_offset[ensure_TP(tp)] = start

    async def _add_gap(self, tp: Any, offset_from: int, offset_to: int) -> None:
        if not self.app.topics.acks_enabled_for(tp.topic):
            await super()._add_gap(tp, offset_from, offset_to)
            return
        # faust counts a jump in the fetched offsets as handled (for compacted topics and
        # transaction markers). Triage's inputs have neither: a jump means messages lost
        # between the fetch and the stream. Not counted; the hole watch reads them again.
        log.warning("%s: the consumer jumped from offset %d to %d; the messages between were "
                    "not handled and are not committed past", tp, offset_from - 1, offset_to)

    def _new_offset(self, tp: Any) -> int | None:
        acked = self._acked[tp]
        committed = self._committed_offset[tp]
        if acked and committed is not None and min(acked) > committed \
                and self.app.topics.acks_enabled_for(tp.topic):
            return None  # the message at the committed offset is not handled yet
        offset: int | None = super()._new_offset(tp)
        return offset

    @mode.Service.task
    async def _watch_for_holes(self) -> None:
        while not self.should_stop:
            await self.sleep(self.hole_check_interval)
            if (self.app.rebalancing or getattr(self.app, "in_recovery", False)
                    or not self.app.flow_control.is_active()):
                self.holes.forget()
                continue
            try:
                await self.seek_back_stuck_partitions()
            except Exception:  # a broker hiccup: look again next time
                log.warning("looking for stuck partitions failed", exc_info=True)

    async def seek_back_stuck_partitions(self) -> None:
        """Reads only this process's books (no call to the consumer thread, which a position
        request waiting for a reset would block). "Fetched past it": the fetcher handed on a
        message after the committed offset (after a seek its last-read mark is the committed
        offset itself)."""
        in_flight = {m.tp for m in list(self._unacked_messages) if not m.acked}
        for tp in sorted(self.assignment()):
            if not self.app.topics.acks_enabled_for(tp.topic):
                continue
            committed = self._committed_offset.get(tp)
            read = self._read_offset.get(tp)
            offset = self.holes.observe(
                tp, committed=committed, position=read,
                handled=committed in self._acked_index.get(tp, ()), in_flight=tp in in_flight)
            if offset is not None:
                log.warning("%s: stuck at offset %d (fetched past it, not handled); reading "
                            "it again from there", tp, offset)
                await self.seek(tp, offset)


class RewindingTransport(aiokafka_driver.Transport):  # type: ignore[misc]
    Consumer = RewindingConsumer


class TriageApp(faust.App):  # type: ignore[misc]
    """A faust App whose consumer is `RewindingConsumer` (broker URLs `kafka://`)."""

    def _new_transport(self) -> Any:
        return RewindingTransport(self.conf.broker_consumer, self)
