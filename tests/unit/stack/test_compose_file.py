"""docker-compose.yml runs the same Kafka as the local stack, and everything waits for health."""

from __future__ import annotations

from pathlib import Path

import yaml

from paicha.stack.versions import KAFKA_VERSION

COMPOSE = Path(__file__).resolve().parents[3] / "docker-compose.yml"


def _services() -> dict:
    return yaml.safe_load(COMPOSE.read_text())["services"]


def test_compose_kafka_is_the_local_stack_version():
    assert _services()["kafka"]["image"] == f"apache/kafka:{KAFKA_VERSION}"


def test_every_service_has_a_healthcheck_and_waits_for_healthy_dependencies():
    services = _services()
    assert {"kafka", "mongodb", "prometheus", "grafana"} <= set(services)
    for name, service in services.items():
        if "profiles" not in service:  # optional tools (the simulator) are not waited for
            assert "healthcheck" in service, f"{name} has no healthcheck"
        for dep, condition in (service.get("depends_on") or {}).items():
            assert condition == {"condition": "service_healthy"}, f"{name} → {dep}"


def test_every_built_service_is_scraped_by_prometheus():
    scrape = yaml.safe_load((COMPOSE.parent / "deploy/prometheus/prometheus.yml").read_text())
    targets = {t.split(":")[0] for job in scrape["scrape_configs"]
               for c in job["static_configs"] for t in c["targets"]}
    built = {n for n, s in _services().items() if "build" in s and "profiles" not in s}
    assert built and built <= targets


def test_dashboard_and_alerts_only_use_series_the_services_export():
    """A renamed metric must not leave an empty Grafana panel or a silent alert behind."""
    import json
    import re

    from prometheus_client import CollectorRegistry

    from services.intake.metrics import IntakeMetrics
    from services.reporting.metrics import ReportingMetrics
    from services.triage.domain import RiskAreaRegistry
    from services.triage.metrics import TriageMetrics

    registry = CollectorRegistry()
    IntakeMetrics(registry)
    ReportingMetrics(registry)
    TriageMetrics(registry).watch_registry(RiskAreaRegistry)
    # Labelled series have no samples yet, so go by family name and the suffixes of its type.
    suffixes = ("", "_total", "_bucket", "_count", "_sum")
    exported = {m.name + suffix for m in registry.collect() for suffix in suffixes}
    root = COMPOSE.parent
    text = (root / "deploy/grafana/dashboards/paicha-overview.json").read_text()
    text += (root / "deploy/prometheus/rules/paicha.yml").read_text()
    used = set(re.findall(r"paicha_[a-z_]+", text))
    assert used and used <= exported, used - exported
    json.loads((root / "deploy/grafana/dashboards/paicha-overview.json").read_text())
