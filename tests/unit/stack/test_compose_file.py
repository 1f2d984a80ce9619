"""docker-compose.yml runs the same Kafka as the local stack, and everything waits for health."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
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


def _exported(service: str) -> set[str]:
    """Every series name a service's metrics class declares (family name plus the suffixes
    of its type: labelled series have no samples until used)."""
    import importlib

    from prometheus_client import CollectorRegistry

    try:
        module = importlib.import_module(f"services.{service}.metrics")
    except ImportError:
        pytest.skip(f"services.{service} is not on this branch yet")
    (cls,) = [v for k, v in vars(module).items()
              if k.endswith("Metrics") and isinstance(v, type) and v.__module__ == module.__name__]
    registry = CollectorRegistry()
    metrics = cls(registry)
    if hasattr(metrics, "watch_registry"):  # triage's designations-in-force collector
        from services.triage.domain import RiskAreaRegistry

        metrics.watch_registry(RiskAreaRegistry)
    suffixes = ("", "_total", "_bucket", "_count", "_sum")
    return {m.name + suffix for m in metrics.registry.collect() for suffix in suffixes}


@pytest.mark.parametrize("service", ["intake", "triage", "tasking", "reporting"])
def test_dashboards_and_alerts_only_use_series_the_services_export(service):
    """A renamed metric must not leave an empty Grafana panel or a silent alert behind."""
    root = COMPOSE.parent
    text = (root / "deploy/prometheus/rules/paicha.yml").read_text()
    for path in sorted((root / "deploy/grafana/dashboards").glob("*.json")):
        text += json.dumps(json.loads(path.read_text()))
    used = set(re.findall(rf"paicha_{service}_[a-z_]+", text))
    assert used, f"no dashboard panel or alert reads {service}"
    exported = _exported(service)
    assert used <= exported, used - exported


def test_tasking_and_reporting_run_from_the_image_on_their_ports():
    services = _services()
    for name, port in (("tasking", 8003), ("reporting", 8004)):
        service = services[name]
        assert service["command"] == ["python", "-m", f"services.{name}"]
        assert service["ports"] == [f"{port}:{port}"]
        env = service["environment"]
        prefix = name.upper()
        assert env[f"{prefix}_HTTP__PORT"] == str(port) and env[f"{prefix}_HTTP__HOST"] == "0.0.0.0"
        assert env[f"{prefix}_KAFKA__BOOTSTRAP"] == "kafka:19092"
        assert f"localhost:{port}/readyz" in " ".join(service["healthcheck"]["test"])
        assert set(service["depends_on"]) == {"kafka", "mongodb"}


def test_grafana_is_provisioned_with_every_dashboard():
    root = COMPOSE.parent
    grafana = _services()["grafana"]
    mounts = {v.split(":")[0]: v.split(":")[1] for v in grafana["volumes"]}
    provider = yaml.safe_load(
        (root / "deploy/grafana/provisioning/dashboards/paicha.yml").read_text())["providers"][0]
    assert mounts["./deploy/grafana/dashboards"] == provider["options"]["path"]
    assert mounts["./deploy/grafana/provisioning"] == "/etc/grafana/provisioning"
    uids = [json.loads(p.read_text())["uid"]
            for p in (root / "deploy/grafana/dashboards").glob("*.json")]
    assert len(uids) >= 2 and len(set(uids)) == len(uids)


def test_the_simulator_profile_loads_the_demo_grids_and_runs_both_simulators():
    services = _services()
    profiled = {n for n, s in services.items() if "simulator" in s.get("profiles", [])}
    assert profiled == {"simulator", "grids", "workers"}
    grids = services["grids"]["command"]
    assert grids[:3] == ["paicha", "grids", "load"]
    assert (COMPOSE.parent / grids[3]).is_file()  # the demo county's directory is in the image
    assert services["workers"]["command"][:3] == ["paicha", "simulate", "workers"]
    for name in ("grids", "workers"):
        assert "tasking" in services[name]["depends_on"]
