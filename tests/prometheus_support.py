"""What the metrics tests share: the dashboards' and alerts' PromQL, the series each alert reads
(its expression with the thresholds taken off), which service a query needs, and Debian's
Prometheus (installed when missing, as deploy/local/prerequisites.sh does)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
PROMETHEUS_DIR = ROOT / "deploy/prometheus"
RULES = PROMETHEUS_DIR / "rules/paicha.yml"
RULE_TESTS = PROMETHEUS_DIR / "tests"
DASHBOARDS = ROOT / "deploy/grafana/dashboards"
SERVICES = ("intake", "triage", "tasking", "reporting")

# Each alert's expression without its thresholds: the series it compares. Every one must occur
# verbatim (whitespace aside) in the alert's expression; a unit test keeps the two together.
ALERT_INNER: dict[str, list[str]] = {
    "PaichaServiceDown": ['up{job=~"intake|triage|tasking|reporting"}'],
    "PaichaConsumerLagging": [f"max by (job, topic) (paicha_{s}_consumer_lag)" for s in SERVICES],
    "PaichaRejectedInputSpike": [
        "sum by (feed) (rate(paicha_intake_records_rejected_total[10m]))",
        "sum by (feed) (rate(paicha_intake_records_received_total[10m]))",
        "sum by (feed) (increase(paicha_intake_records_rejected_total[10m]))",
    ],
    "PaichaFeedSilent": [
        "sum by (feed) (increase(paicha_intake_records_received_total[6h]))",
        "sum by (feed) (increase(paicha_intake_records_received_total[2d]))",
    ],
    "PaichaTasksOverdue": ["sum by (township) (increase(paicha_tasking_overdue_total[15m]))"],
    "PaichaPositiveTest": [
        'sum by (township) (increase(paicha_tasking_test_results_total{result="positive"}[30m]))'],
    "PaichaTasksStillOverdue": ["max(paicha_reporting_tasks_overdue)"],
    "ReportingMalformedEvents": [
        "sum by (topic) (increase(paicha_reporting_events_malformed_total[10m]))"],
    "IntakeUnavailable": ['sum(rate(paicha_intake_request_seconds_count{status="503"}[5m]))'],
    "TriageFatalErrors": ["increase(paicha_triage_fatal_errors_total[10m])"],
    "TriageSlow": ["histogram_quantile(0.99, sum by (le) "
                   "(rate(paicha_triage_processing_latency_seconds_bucket[10m])))"],
}


@dataclass(frozen=True)
class Query:
    where: str  # "dashboard <uid> · <panel title>" or "alert <name>"
    expr: str

    @property
    def services(self) -> set[str]:
        """The paicha services whose series the query reads (none: Prometheus' own `up`)."""
        return set(re.findall(r"\bpaicha_(intake|triage|tasking|reporting)_", self.expr))


def alert_rules() -> list[dict]:
    groups = yaml.safe_load(RULES.read_text())["groups"]
    return [rule for group in groups for rule in group["rules"] if "alert" in rule]


def dashboards() -> dict[str, dict]:
    return {p.name: json.loads(p.read_text()) for p in sorted(DASHBOARDS.glob("*.json"))}


def dashboard_queries() -> list[Query]:
    return [Query(f"dashboard {d['uid']} · {panel['title']}", target["expr"])
            for d in dashboards().values() for panel in d["panels"]
            for target in panel.get("targets", [])]


def alert_queries() -> list[Query]:
    return [Query(f"alert {name}", expr) for name, exprs in ALERT_INNER.items() for expr in exprs]


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("( ", "(").replace(" )", ")")).strip()


def promtool() -> str | None:
    """promtool (Debian's `prometheus` package), installed with apt-get when missing and
    possible (root on Debian); None when it is not there and cannot be installed."""
    if found := shutil.which("promtool"):
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env, timeout=600)
        subprocess.run(["apt-get", "install", "-y", "-qq", "prometheus"], check=False, env=env,
                       timeout=900)
    return shutil.which("promtool")


def prometheus() -> str | None:
    promtool()  # installs the package (both binaries) when missing
    return shutil.which("prometheus")
