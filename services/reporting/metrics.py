"""Prometheus metrics of reporting (``paicha_reporting_*``). Labels are topic, event type, error
kind, format, result: never anything from a record."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class ReportingMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.consumed = Counter("paicha_reporting_events_consumed", "Events consumed",
                                ["topic", "type"], registry=registry)
        self.malformed = Counter("paicha_reporting_events_malformed",
                                 "Messages that are not valid paicha events (logged, skipped)",
                                 ["topic", "error"], registry=registry)
        self.duplicates = Counter("paicha_reporting_events_duplicate",
                                  "Events already counted (redelivery, replay)", ["topic"],
                                  registry=registry)
        self.lag = Gauge("paicha_reporting_consumer_lag", "Messages not yet consumed, per topic",
                         ["topic"], registry=registry)
        self.records = Gauge("paicha_reporting_records", "Records counted since the start",
                             registry=registry)
        self.overdue = Gauge("paicha_reporting_tasks_overdue",
                             "Tasks past their deadline and not verified", registry=registry)
        self.closeouts = Counter("paicha_reporting_closeouts", "Daily close-outs",
                                 ["result"], registry=registry)
        self.snapshot_seconds = Histogram(
            "paicha_reporting_snapshot_seconds", "Deriving counters from the view",
            buckets=(0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5), registry=registry)
        self.report_seconds = Histogram(
            "paicha_reporting_report_seconds", "Serving a report", ["format"],
            buckets=(0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5), registry=registry)
