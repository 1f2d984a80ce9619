"""Two fixes to faust's consumer, so that no message reaching triage around a rebalance or a stop
is committed without being handled.

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


class RewindingConsumer(aiokafka_driver.Consumer):  # type: ignore[misc]
    """faust's aiokafka consumer that does not commit past a message the stream skipped, and
    seeks never-committed input partitions to 0 after a rebalance."""

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


class RewindingTransport(aiokafka_driver.Transport):  # type: ignore[misc]
    Consumer = RewindingConsumer


class TriageApp(faust.App):  # type: ignore[misc]
    """A faust App whose consumer is `RewindingConsumer` (broker URLs `kafka://`)."""

    def _new_transport(self) -> Any:
        return RewindingTransport(self.conf.broker_consumer, self)
