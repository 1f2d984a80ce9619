"""tasking's Prometheus series (``paicha_tasking_*``); labels carry codes and states, never PII."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from paicha_runtime.lag import ConsumerLag

_LATENCY = (1, 5, 15, 60, 300, 900, 1800, 3600, 7200, 14400, 43200, 86400, 172800)


class TaskingMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self._townships: set[str] = set()
        p = "paicha_tasking_"
        self.open_tasks = Gauge(p + "open_tasks", "Open tasks by status and township",
                                ["status", "township"], registry=registry)
        self.assigned = Counter(p + "tasks_assigned_total", "Tasks created, by first tier",
                                ["tier"], registry=registry)
        self.pooled = Counter(p + "pool_assignments_total",
                              "Tasks no grid covered, sent to the township or county pool",
                              ["tier"], registry=registry)
        self.waiting_contact = Counter(
            p + "tasks_waiting_for_contact_total",
            "Tasks created before their person's contact details arrived", registry=registry)
        self.overdue = Counter(p + "overdue_total", "Verification deadlines missed, by tier",
                               ["tier", "township"], registry=registry)
        self.escalated = Counter(p + "escalated_total", "Escalations, by tier escalated to",
                                 ["to_tier"], registry=registry)
        self.outcomes = Counter(p + "outcomes_total", "Outcomes recorded", ["outcome"],
                                registry=registry)
        self.requeued = Counter(p + "requeued_total", "Tasks due again after a failed attempt",
                                ["reason"], registry=registry)
        self.tests_overdue = Counter(p + "tests_overdue_total", "Tests missed",
                                     registry=registry)
        self.test_results = Counter(p + "test_results_total", "Test results recorded",
                                    ["result", "township"], registry=registry)
        self.resolved = Counter(p + "cases_resolved_total", "Cases resolved", ["resolution"],
                                registry=registry)
        self.assist_replies = Counter(p + "assist_replies_total", "Replies to assist requests",
                                      ["status"], registry=registry)
        self.push_to_assigned = Histogram(
            p + "push_to_assigned_seconds", "From intake accepting the record to the task being "
            "assigned", buckets=_LATENCY, registry=registry)
        self.push_to_verified = Histogram(
            p + "push_to_verified_seconds", "From intake accepting the record to the closing "
            "outcome", buckets=_LATENCY, registry=registry)
        self.timers_pending = Gauge(p + "timers_pending", "Tasks with a due timer in the heap",
                                    registry=registry)
        self.timers_fired = Counter(p + "timer_firings_total", "Due timers handled",
                                    registry=registry)
        self.messages = Counter(p + "messages_total", "Input messages handled",
                                ["topic", "type"], registry=registry)
        self.dead_letters = Counter(p + "dead_letters_total",
                                    "Input messages tasking could not use (logged)",
                                    ["topic", "reason"], registry=registry)
        self.handler_retries = Counter(p + "handler_retries_total",
                                       "Input messages retried because the store was away",
                                       registry=registry)
        self.contact_conflicts = Counter(
            p + "contact_conflicts_total",
            "Contact documents written meanwhile by another process, merged again",
            registry=registry)
        self.owned_partitions = Gauge(
            p + "owned_case_partitions",
            "Case partitions whose timers, gauges and outbox sweep this process keeps",
            registry=registry)
        self.publish_failures = Counter(p + "publish_failures_total",
                                        "Outbox relays Kafka did not acknowledge (retried)",
                                        registry=registry)
        self.outbox_relayed = Counter(p + "events_published_total", "Events relayed to Kafka",
                                      ["type"], registry=registry)
        self.consumer_lag = ConsumerLag("tasking", registry)
        # zero series from the start: dashboards show 0 rather than no data
        for outcome in ("verified_measure_applied", "verified_no_risk", "unreachable",
                        "system_fault", "not_in_area"):
            self.outcomes.labels(outcome)
        for tier in ("township", "county"):
            self.escalated.labels(tier)
        self.request_seconds = Histogram(p + "request_seconds", "HTTP request latency",
                                         ["route", "status"], registry=registry)

    def township_seen(self, township: str) -> None:
        """Zero series for a township's overdue and test-result counters once it has a task,
        so "overdue by township" shows 0 and alerts compare against 0, not no data."""
        if township in self._townships:
            return
        self._townships.add(township)
        for tier in ("grid", "township", "county"):
            self.overdue.labels(tier, township)
        for result in ("negative", "positive", "invalid", "not_tested"):
            self.test_results.labels(result, township)

