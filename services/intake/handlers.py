"""What happens to a batch of input records, whatever the channel: validate, claim the record
ids in the dedupe store, publish records and rejections, wait for Kafka, mark them published.

No loss: the caller gets a result only after Kafka acknowledged every message (else
Unavailable). No duplicates: a record id already marked published is a duplicate; one claimed
but not marked (a crash or failure between publish and mark) is published again with the same
record id, event id and received_at, so downstream consumers see one record.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import orjson
from pydantic import ValidationError

from contracts.envelope import Message, encode
from contracts.events import IntakeChannel, RecordReceived
from contracts.topics import TopicRegistry
from services.intake.domain.normalize import CLOCK_SKEW, Normalized, map_keys, normalize
from services.intake.domain.places import Places
from services.intake.domain.problems import INVALID_VALUE, NOT_OBJECT, Problem
from services.intake.events import build_record, build_rejection, record_id
from services.intake.metrics import IntakeMetrics
from services.intake.ports import (
    PUBLISHED,
    Candidate,
    Claim,
    DedupeStore,
    Mark,
    Outgoing,
    Publisher,
    Rejection,
    StoreUnavailable,
    SubmitResult,
)

log = logging.getLogger(__name__)


def utc_now_ms() -> datetime:
    """Now, to the millisecond: what the store keeps, so a re-publish carries the same value."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


@dataclass(slots=True)
class _Pending:
    position: int | None
    record: RecordReceived


class Intake:
    def __init__(self, *, store: DedupeStore, publisher: Publisher, topics: TopicRegistry,
                 secret: bytes, metrics: IntakeMetrics, source: str = "/paicha/intake",
                 default_county: str | None = None, places: Places | None = None,
                 clock_skew: timedelta = CLOCK_SKEW,
                 clock: Callable[[], datetime] = utc_now_ms) -> None:
        self._store, self._publisher, self._metrics = store, publisher, metrics
        self._records_topic = topics.for_event(RecordReceived).name
        self._rejected_topic = topics.name("paicha.intake.rejected.v1")
        self._secret, self._source = secret, source
        self._default_county, self._clock = default_county, clock
        self._places, self._skew = places, clock_skew

    @contextmanager
    def _stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            seconds = time.perf_counter() - started
            self._metrics.stage_seconds.labels(name).observe(seconds)
            if name == "publish":
                self._metrics.publish_seconds.observe(seconds)

    def _validate(self, feed: str, candidate: Candidate, now: datetime) -> Normalized | Problem:
        if candidate.problem is not None:
            return candidate.problem
        if not isinstance(candidate.fields, Mapping):
            kind = {list: "a list", str: "a string", type(None): "null"}.get(
                type(candidate.fields), type(candidate.fields).__name__)
            return Problem(NOT_OBJECT, None, f"a record must be a JSON object, got {kind}")
        fields = candidate.fields if candidate.mapped else map_keys(feed, candidate.fields)
        if isinstance(fields, Problem):
            return fields
        return normalize(feed, fields, cells=candidate.mapped, default_county=self._default_county,
                         places=self._places, now=now, skew=self._skew)

    async def submit(self, feed: str, channel: IntakeChannel,
                     candidates: Sequence[Candidate]) -> SubmitResult:
        """Process one call / file chunk / Kafka batch; raises Unavailable (nothing answered)."""
        now = self._clock()
        result = SubmitResult(received=len(candidates))
        pending: dict[str, _Pending] = {}
        rejections = []
        with self._stage("validate"):
            for candidate in candidates:
                outcome = self._validate(feed, candidate, now)
                if isinstance(outcome, Normalized):
                    rid = record_id(feed, outcome.source_record_id)
                    if rid in pending:
                        result.duplicates.append(candidate.position)
                        continue
                    try:
                        pending[rid] = _Pending(candidate.position,
                                                build_record(outcome, rid, now, self._secret,
                                                             channel))
                        continue
                    except ValidationError as exc:  # the contract is stricter than the domain
                        error = exc.errors()[0]
                        where = ".".join(str(part) for part in error["loc"])
                        outcome = Problem(INVALID_VALUE, where, error["msg"])
                result.rejected.append(Rejection(candidate.position, outcome.reason,
                                                 outcome.field, outcome.message))
                rejections.append(build_rejection(
                    feed, channel, outcome, candidate.payload(), candidate.position, now,
                    _source_id(candidate)))
        in_call_duplicates = len(result.duplicates)
        with self._stage("encode"):  # before the claim, which keeps it for the sweep
            encoded = {rid: self._encode_record(item.record) for rid, item in pending.items()}
        with self._stage("claim"):
            existing = await self._store.claim([
                Claim(rid, feed, p.record.source_record_id, now, channel.value, encoded[rid])
                for rid, p in pending.items()
            ]) if pending else {}
        messages: list[Outgoing] = []
        marks: list[Mark] = []
        for rid, item in pending.items():
            before = existing.get(rid)
            if before is None:
                messages.append(Outgoing(self._records_topic, encoded[rid]))
                marks.append(Mark(rid, now))
            elif before.state == PUBLISHED:
                result.duplicates.append(item.position)
                continue
            else:
                # The same event as the first attempt: its time and channel, not this call's.
                first_channel = IntakeChannel(before.channel) if before.channel else None
                messages.append(Outgoing(self._records_topic, self._encode_record(
                    item.record.model_copy(update={"received_at": before.received_at,
                                                   "channel": first_channel}))))
                marks.append(Mark(rid, before.received_at))
                result.republished += 1
            result.record_ids.append(rid)
        with self._stage("encode"):
            messages += [Outgoing(self._rejected_topic, encode(
                event, source=self._source, key=event.rejection_id, event_id=event.rejection_id,
                time=event.received_at)) for event in rejections]
        if messages:
            with self._stage("publish"):
                await self._publisher.publish(messages)
        if marks:
            with self._stage("mark"):
                try:
                    await self._store.mark_published(marks)
                except StoreUnavailable:
                    # Kafka has them; the sweep (or a later push) re-publishes them, same ids.
                    log.warning("could not mark %d published records", len(marks))
                    self._metrics.mark_failures.inc(len(marks))
        result.accepted = len(result.record_ids)
        self._count(feed, channel, result, in_call_duplicates)
        return result

    def _encode_record(self, record: RecordReceived) -> Message:
        return encode(record, source=self._source, key=record.person_key,
                      event_id=record.record_id, time=record.received_at)

    def _count(self, feed: str, channel: IntakeChannel, result: SubmitResult,
               in_call_duplicates: int) -> None:
        m, ch = self._metrics, channel.value
        m.received.labels(feed, ch).inc(result.received)
        m.accepted.labels(feed, ch).inc(result.accepted)
        for rejection in result.rejected:
            m.rejected.labels(feed, ch, rejection.reason).inc()
        if in_call_duplicates:
            m.dedupe_hits.labels(feed, ch, "call").inc(in_call_duplicates)
        if len(result.duplicates) > in_call_duplicates:
            m.dedupe_hits.labels(feed, ch, "store").inc(len(result.duplicates) - in_call_duplicates)
        if result.republished:
            m.republished.labels(feed).inc(result.republished)


def _source_id(candidate: Candidate) -> str | None:
    """The sender's record id, if it sent a usable one (helps it find the refused record)."""
    fields = candidate.fields
    value = fields.get("source_record_id") if isinstance(fields, Mapping) else None
    return (value.strip() or None) if isinstance(value, str) else None


def json_payload(value: object) -> Callable[[], str]:
    """Lazy JSON text of a decoded record, for rejected-input events."""
    return lambda: orjson.dumps(value, default=str).decode()
