"""Prometheus metrics of intake. Labels are feed, channel, reason, stage, route, status: never
anything from a record (no PII, bounded cardinality)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

from contracts.vocabulary import IntakeChannel
from paicha_runtime.lag import ConsumerLag
from services.intake.domain.fields import FEEDS

_LATENCY = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
STAGES = ("validate", "claim", "encode", "publish", "mark")


def feed_label(feed: str) -> str:
    """Path parameters are user input: only known feeds become label values."""
    return feed if feed in FEEDS else "unknown"


class IntakeMetrics:
    """All intake metrics on one registry (a fresh one per app keeps tests independent)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.received = Counter(
            "paicha_intake_records_received",
            "Records received",
            ["feed", "channel"],
            registry=registry,
        )
        for feed in FEEDS:  # a zero series from the start: "no records from a feed" can alert
            for channel in IntakeChannel:
                self.received.labels(feed, channel.value)
        self.accepted = Counter(
            "paicha_intake_records_accepted",
            "Records accepted and published",
            ["feed", "channel"],
            registry=registry,
        )
        self.rejected = Counter(
            "paicha_intake_records_rejected",
            "Records rejected, by reason",
            ["feed", "channel", "reason"],
            registry=registry,
        )
        self.dedupe_hits = Counter(
            "paicha_intake_dedupe_hits",
            "Records already published (scope=store) or repeated within one call (scope=call)",
            ["feed", "channel", "scope"],
            registry=registry,
        )
        self.republished = Counter(
            "paicha_intake_records_republished",
            "Claimed but unconfirmed records published again (after a crash or a failed call)",
            ["feed"],
            registry=registry,
        )
        self.swept = Counter(
            "paicha_intake_records_swept",
            "Claimed records the sweep published because their call never confirmed them",
            ["feed"],
            registry=registry,
        )
        self.calls_refused = Counter(
            "paicha_intake_calls_refused",
            "Whole calls or files refused (auth, size, format, unavailable), by error code",
            ["route", "code"],
            registry=registry,
        )
        self.raw_messages = Counter(
            "paicha_intake_raw_messages",
            "Messages read from raw feed topics",
            ["feed"],
            registry=registry,
        )
        self.mark_failures = Counter(
            "paicha_intake_mark_failures",
            "Published records the store could not mark (they will be "
            "re-published, with the same event id, if pushed again)",
            registry=registry,
        )
        self.request_seconds = Histogram(
            "paicha_intake_request_seconds",
            "HTTP request latency",
            ["route", "status"],
            buckets=_LATENCY,
            registry=registry,
        )
        self.publish_seconds = Histogram(
            "paicha_intake_publish_seconds",
            "Time until Kafka acknowledged a call's messages",
            buckets=_LATENCY,
            registry=registry,
        )
        self.consumer_lag = ConsumerLag("intake", registry)  # the raw feed topics
        self.stage_seconds = Histogram(
            "paicha_intake_stage_seconds",
            "Time per call in each stage of the handler",
            ["stage"],
            buckets=_LATENCY,
            registry=registry,
        )
