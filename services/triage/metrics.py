"""Prometheus metrics of the triage worker, in a registry of its own (served on /metrics).
Labels carry categories, levels and reasons only, never a person key."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from contracts.vocabulary import Category, RejectReason
from paicha_runtime.lag import ConsumerLag
from services.triage.domain import RiskAreaRegistry

from .messages import Handled

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300)


class _InForce(Collector):
    """Designations in force now, by level, read from the worker's registry at scrape time."""

    def __init__(self, registry: Callable[[], RiskAreaRegistry]) -> None:
        self._registry = registry

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily("paicha_triage_designations_in_force",
                                   "Risk-area designations in force now", labels=["level"])
        counts = {"high": 0, "medium": 0, "low": 0}
        for designation in self._registry().in_force(datetime.now(UTC)):
            counts[designation.level.value] = counts.get(designation.level.value, 0) + 1
        for level, count in counts.items():
            family.add_metric([level], count)
        yield family


class TriageMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.cases = Counter("paicha_triage_cases_opened_total", "Cases opened",
                             ["category", "risk_level"], registry=r)
        self.merges = Counter("paicha_triage_merges_total",
                              "Records merged into an open case", ["category"], registry=r)
        self.reclassifications = Counter(
            "paicha_triage_reclassifications_total", "Cases raised to a more severe category",
            ["trigger", "category"], registry=r)
        self.duplicates = Counter("paicha_triage_duplicates_total",
                                  "Records already part of their case", registry=r)
        self.rejected = Counter("paicha_triage_rejected_total",
                                "Messages routed to the rejected topic", ["reason"], registry=r)
        self.downgrades = Counter("paicha_triage_downgrades_noticed_total",
                                  "Would-be downgrades kept for review, not applied", registry=r)
        self.designations = Counter("paicha_triage_designations_received_total",
                                    "Risk-area designations handled", ["level"], registry=r)
        self.latency = Histogram(
            "paicha_triage_processing_latency_seconds",
            "From intake accepting a record to its case event being on Kafka",
            buckets=LATENCY_BUCKETS, registry=r)
        self.closed = Counter("paicha_triage_cases_closed_total",
                              "Cases closed on a resolution from tasking", ["resolution"],
                              registry=r)
        self.resolutions_ignored = Counter(
            "paicha_triage_resolutions_ignored_total",
            "Resolutions that closed nothing (why = repeated | stale | unknown)", ["why"],
            registry=r)
        self.fatal = Counter("paicha_triage_fatal_errors_total",
                             "Sends that failed after retries (the worker then stops)",
                             registry=r)
        self.consumer_lag = ConsumerLag("triage", r)
        # Zero series from the start, so rates and alerts see "none yet" rather than no data.
        for reason in RejectReason:
            self.rejected.labels(reason.value)
        for trigger in ("record", "designation"):
            for category in Category:
                self.reclassifications.labels(trigger, category.value)

    def watch_registry(self, registry: Callable[[], RiskAreaRegistry]) -> None:
        self.registry.register(_InForce(registry))

    def observe(self, handled: Handled, now: datetime) -> None:
        """Count what one batch did, once its events are on Kafka."""
        for change in handled.changes:
            c = change.classification
            if change.kind == "opened":
                self.cases.labels(c.category.value, c.risk_level.value).inc()
            elif change.kind == "merged":
                self.merges.labels(c.category.value).inc()
            else:
                self.reclassifications.labels(change.trigger, c.category.value).inc()
            if change.received_at is not None:
                self.latency.observe(max(0.0, (now - change.received_at).total_seconds()))
        if handled.duplicates:
            self.duplicates.inc(handled.duplicates)
        for reason in handled.rejected:
            self.rejected.labels(reason.value).inc()
        if handled.downgrades:
            self.downgrades.inc(len(handled.downgrades))
        for designation in handled.designations:
            self.designations.labels(designation.level.value).inc()
        for resolution in handled.closed:
            self.closed.labels(resolution).inc()
        for why in handled.ignored_resolutions:
            self.resolutions_ignored.labels(why).inc()
