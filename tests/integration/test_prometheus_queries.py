"""A real Prometheus (Debian's package) scraping the real services: `paicha up` runs Kafka,
FerretDB, the services and the simulator on free ports; Prometheus, on a free loopback port,
scrapes them every 2 s with paicha's alert rules loaded. Then every Grafana panel query and the
series every alert compares (its expression without the thresholds, tests/prometheus_support)
must return at least one series, every rule must evaluate without error and every target must
be up. No alert may fire, except that with reporting running a malformed message is sent to it
and its ReportingMalformedEvents alert must fire.

Services that `paicha up` does not run on this branch (tasking, reporting: their package is
missing or the stack has no port setting for them) are not scraped, and the queries reading
their series are skipped, saying why.

A query selecting one label value of an event the run need not produce (`result="positive"`,
`status="503"`) passes when it has a series, or else when the same series without that matcher
exist and carry the label: the metric and its label are exported; the event did not happen.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import yaml
from aiokafka import AIOKafkaProducer

from paicha.stack.config import StackSettings
from paicha.stack.errors import free_port
from tests.prometheus_support import (
    RULES,
    SERVICES,
    Query,
    alert_queries,
    dashboard_queries,
    prometheus,
)

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]
SCRAPE_S = 2
WAIT_FOR_SERIES_S = 120.0


# A message no service can decode, on a topic only reporting reads: reporting skips it, counts
# it, and its ReportingMalformedEvents alert fires; nothing else may fire in this run.
BAD_MESSAGE_TOPIC = "paicha.intake.rejected.v1"


@dataclass
class Scraped:
    prometheus_url: str
    services: dict[str, str]  # service -> its metrics URL
    not_running: dict[str, str]  # service -> why it is not part of this run
    deadline: float  # queries may still be waiting for a scrape until then
    expected_alerts: set[str]


def _why_not_running(service: str) -> str | None:
    if importlib.util.find_spec(f"services.{service}.__main__") is None:
        return f"services.{service} is not on this branch (no __main__)"
    if f"{service}_port" not in StackSettings.model_fields:
        return f"`paicha up` does not run {service} yet (StackSettings has no {service}_port)"
    return None


def _paicha(env: dict[str, str], *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "paicha", *args],
                          env={**os.environ, **env, "COLUMNS": "200"}, capture_output=True,
                          text=True, timeout=timeout)


def _metric_sum(text: str, name: str) -> float:
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith(name + "{") or line.startswith(name + " "))


def _service_logs(env: dict[str, str]) -> str:
    """The last lines of every service's log (before `paicha down --wipe` removes them)."""
    run_dir = StackSettings(name=env["PAICHA_STACK_NAME"]).run_dir
    return "".join(f"\n--- {log}\n" + "\n".join(log.read_text(errors="replace").splitlines()[-40:])
                   for log in sorted(run_dir.glob("services/*/*.log")))


def _wait_for_traffic(services: dict[str, str]) -> None:
    """Until the simulator's records were accepted, some rejected, and cases opened."""
    wanted = {"intake": ["paicha_intake_records_accepted_total",
                         "paicha_intake_records_rejected_total"],
              "triage": ["paicha_triage_cases_opened_total"]}
    deadline = time.monotonic() + 240
    seen: dict[str, float] = {}
    with httpx.Client(timeout=5) as client:
        while time.monotonic() < deadline:
            for service, names in wanted.items():
                text = client.get(services[service]).text
                seen.update({name: _metric_sum(text, name) for name in names})
            if all(value >= 1 for value in seen.values()) and \
                    seen["paicha_intake_records_accepted_total"] >= 20:
                return
            time.sleep(2)
    raise AssertionError(f"the simulator's traffic did not arrive: {seen}")


def _send_bad_message(bootstrap: str) -> None:
    async def send() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
        await producer.start()
        try:
            await producer.send_and_wait(BAD_MESSAGE_TOPIC, b"{not an event", key=b"observability")
        finally:
            await producer.stop()

    asyncio.run(send())


def _start_prometheus(binary: str, services: dict[str, str], tmp: Path) -> tuple[
        subprocess.Popen[bytes], str]:
    port = free_port()
    config = {
        "global": {"scrape_interval": f"{SCRAPE_S}s", "evaluation_interval": f"{SCRAPE_S}s"},
        "rule_files": [str(RULES)],
        "scrape_configs": [
            {"job_name": service, "static_configs": [{"targets": [url.split("/")[2]]}]}
            for service, url in services.items()],
    }
    (tmp / "prometheus.yml").write_text(yaml.safe_dump(config))
    log = (tmp / "prometheus.log").open("wb")
    process = subprocess.Popen(
        [binary, f"--config.file={tmp / 'prometheus.yml'}", f"--storage.tsdb.path={tmp / 'data'}",
         f"--web.listen-address=127.0.0.1:{port}"], stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, (tmp / "prometheus.log").read_text()[-3000:]
        try:
            if httpx.get(f"{url}/-/ready", timeout=2).status_code == 200:
                return process, url
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    process.kill()
    raise AssertionError("prometheus not ready: " + (tmp / "prometheus.log").read_text()[-3000:])


@pytest.fixture(scope="module")
def scraped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scraped]:
    binary = prometheus()
    if binary is None:
        pytest.skip("prometheus missing and not installable here (apt-get install prometheus)")
    not_running = {s: why for s in SERVICES if (why := _why_not_running(s)) is not None}
    running = [s for s in SERVICES if s not in not_running]
    ports = {s: free_port() for s in running}
    env = {"PAICHA_STACK_NAME": f"t-prometheus-{os.getpid()}",
           "PAICHA_STACK_KAFKA_PORT": str(free_port()),
           "PAICHA_STACK_KAFKA_CONTROLLER_PORT": str(free_port()),
           "PAICHA_STACK_MONGO_PORT": str(free_port()),
           **{f"PAICHA_STACK_{s.upper()}_PORT": str(port) for s, port in ports.items()}}
    services = {s: f"http://127.0.0.1:{port}/metrics" for s, port in ports.items()}
    process = None
    try:
        up = _paicha(env, "up", "--rate", "20", timeout=600)
        assert up.returncode == 0, up.stdout + up.stderr + _service_logs(env)
        _wait_for_traffic(services)
        process, url = _start_prometheus(binary, services, tmp_path_factory.mktemp("prometheus"))
        expected: set[str] = set()
        if "reporting" in services:
            # The malformed counter's zero must be in Prometheus before the bad message, or the
            # first sample it sees is already 1 and increase() finds nothing to alert on.
            _wait_until_scraped(url, "paicha_reporting_events_malformed_total")
            time.sleep(SCRAPE_S)
            _send_bad_message(f"127.0.0.1:{env['PAICHA_STACK_KAFKA_PORT']}")
            expected.add("ReportingMalformedEvents")
        yield Scraped(url, services, not_running, time.monotonic() + WAIT_FOR_SERIES_S, expected)
    finally:
        if process is not None:
            process.terminate()
            process.wait(30)
        _paicha(env, "down", "--wipe")


def _wait_until_scraped(prometheus_url: str, metric: str, timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            body = httpx.get(f"{prometheus_url}/api/v1/query", params={"query": metric},
                             timeout=10).json()
            if body.get("status") == "success" and body["data"]["result"]:
                return
        time.sleep(SCRAPE_S)
    raise AssertionError(f"Prometheus never scraped {metric}")


def _query(scraped: Scraped, expr: str) -> list[dict]:
    response = httpx.get(f"{scraped.prometheus_url}/api/v1/query", params={"query": expr},
                         timeout=10)
    body = response.json()
    assert response.status_code == 200 and body["status"] == "success", (expr, body)
    return body["data"]["result"]


_SELECTOR = re.compile(r"(paicha_[a-z_]+)\{([^}]*)\}")
_EQUALS = re.compile(r'(\w+)="[^"]*"')


def _exported_with_labels(scraped: Scraped, expr: str) -> bool:
    """The event-value fallback: every `metric{label="value"}` of the query has series with
    `label` set, and the query without those matchers returns series."""
    selectors = [(m.group(1), _EQUALS.findall(m.group(2))) for m in _SELECTOR.finditer(expr)]
    if not any(labels for _, labels in selectors):
        return False
    for metric, labels in selectors:
        for label in labels:
            result = _query(scraped, f"count by ({label}) ({metric})")
            if not any(r["metric"].get(label) for r in result):
                return False
    return bool(_query(scraped, _SELECTOR.sub(lambda m: m.group(1), expr)))


QUERIES = dashboard_queries() + alert_queries()


@pytest.mark.parametrize("query", QUERIES, ids=[f"{q.where} · {q.expr}" for q in QUERIES])
def test_query_returns_series(scraped: Scraped, query: Query):
    missing = sorted(query.services & set(scraped.not_running))
    if missing:
        pytest.skip("; ".join(scraped.not_running[s] for s in missing))
    while True:
        result = _query(scraped, query.expr)
        if result or _exported_with_labels(scraped, query.expr):
            return
        if time.monotonic() > scraped.deadline:
            break
        time.sleep(SCRAPE_S)
    raise AssertionError(f"{query.where}: no series for {query.expr}")


def _firing(scraped: Scraped) -> set[str]:
    alerts = httpx.get(f"{scraped.prometheus_url}/api/v1/alerts", timeout=10).json()
    return {a["labels"]["alertname"] for a in alerts["data"]["alerts"] if a["state"] == "firing"}


def test_every_service_is_up_and_every_rule_evaluates(scraped: Scraped):
    deadline = time.monotonic() + 60
    while True:
        targets = httpx.get(f"{scraped.prometheus_url}/api/v1/targets", timeout=10).json()
        health = {t["labels"]["job"]: t["health"] for t in targets["data"]["activeTargets"]}
        groups = httpx.get(f"{scraped.prometheus_url}/api/v1/rules", timeout=10).json()
        rules = {r["name"]: (r["health"], r.get("lastError", ""))
                 for g in groups["data"]["groups"] for r in g["rules"]}
        done = set(health) == set(scraped.services) and set(health.values()) == {"up"} and \
            all(h == "ok" for h, _ in rules.values())
        if done or time.monotonic() > deadline:
            break
        time.sleep(SCRAPE_S)
    assert health == {s: "up" for s in scraped.services}
    assert rules and {n: r for n, r in rules.items() if r[0] != "ok"} == {}


def test_only_the_alert_of_the_bad_message_fires(scraped: Scraped):
    """Nothing else is wrong in this run; with reporting running, the malformed message sent
    to it must make ReportingMalformedEvents fire through the real Prometheus."""
    deadline = time.monotonic() + 60
    while (firing := _firing(scraped)) != scraped.expected_alerts and time.monotonic() < deadline:
        time.sleep(SCRAPE_S)
    assert firing == scraped.expected_alerts
