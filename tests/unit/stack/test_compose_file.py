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
        assert "healthcheck" in service, f"{name} has no healthcheck"
        for dep, condition in (service.get("depends_on") or {}).items():
            assert condition == {"condition": "service_healthy"}, f"{name} → {dep}"
