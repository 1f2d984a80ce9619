"""The Helm chart (deploy/helm/paicha): rendered with the pinned helm, linted, every core
resource validated offline against the Kubernetes schemas kubernetes-validate ships, and the
operator resources (Strimzi, MongoDB Community operator, Prometheus operator), which no offline
schema covers, checked structurally here. The topics and ACLs are checked against the registry
(contracts/topics.py) and the environment against each service's settings model."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml
from pydantic import BaseModel

from contracts.topics import DEFAULT

REPO = Path(__file__).resolve().parents[3]
CHART = REPO / "deploy" / "helm" / "paicha"
DEMO = CHART / "ci" / "demo-values.yaml"
EXTERNAL = CHART / "ci" / "external-values.yaml"
RELEASE = "paicha"
SERVICES = ("intake", "triage", "tasking", "reporting")
# intake's HTTP API alone (INTAKE_CONSUME_RAW=false), off by default, on in the demo values.
INTAKE_API = "intake-api"
PORTS = {"intake": 8001, INTAKE_API: 8001, "triage": 8002, "tasking": 8003, "reporting": 8004}
MODULES = {**{name: name for name in SERVICES}, INTAKE_API: "intake"}
# The oldest Kubernetes the chart declares (Chart.yaml kubeVersion) and the newest whose schemas
# kubernetes-validate ships: core resources are validated against both.
K8S_VERSIONS = ("1.27", ".".join(kubernetes_validate.latest_version().split(".")[:2]))
# helm built by `go install` lacks the release build's Kubernetes version (it would assume
# 1.20 and refuse the chart's kubeVersion): say which cluster to render for.
KUBE_VERSION = ("--kube-version", f"{K8S_VERSIONS[-1]}.0")
# Resources of operators: no offline schema; each kind is checked by a test below.
STRIMZI_KINDS = ("Kafka", "KafkaNodePool", "KafkaTopic", "KafkaUser")
OPERATOR_KINDS = {
    *((f"kafka.strimzi.io/{version}", kind)
      for version in ("v1", "v1beta2") for kind in STRIMZI_KINDS),
    ("mongodbcommunity.mongodb.com/v1", "MongoDBCommunity"),
    ("monitoring.coreos.com/v1", "ServiceMonitor"),
}
# Strimzi 0.40-0.48 serve only kafka.strimzi.io/v1beta2 (and need the KRaft annotations).
OLD_STRIMZI = "kafka.strimzi.io/v1beta2"
SETTINGS = {
    "intake": ("services.intake.settings", "IntakeSettings"),
    "triage": ("services.triage.settings", "TriageSettings"),
    "tasking": ("services.tasking.settings", "TaskingSettings"),
    "reporting": ("services.reporting.settings", "ReportingSettings"),
}


def run_helm(helm: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(helm), *args], capture_output=True, text=True, timeout=120)


def render(helm: Path, *values: Path, sets: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    argv = ["template", RELEASE, str(CHART), "--namespace", "paicha", *KUBE_VERSION]
    for path in values:
        argv += ["-f", str(path)]
    for item in sets:
        argv += ["--set", item]
    proc = run_helm(helm, *argv)
    assert proc.returncode == 0, proc.stderr
    return [doc for doc in yaml.safe_load_all(proc.stdout) if doc]


def of_kind(docs: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [d for d in docs if d["kind"] == kind]


def named(docs: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    [doc] = [d for d in of_kind(docs, kind) if d["metadata"]["name"] == name]
    return doc


def component(doc: dict[str, Any]) -> str:
    return str(doc["metadata"]["labels"]["app.kubernetes.io/component"])


def container(deployment: dict[str, Any]) -> dict[str, Any]:
    [only] = deployment["spec"]["template"]["spec"]["containers"]
    return dict(only)


def values() -> dict[str, Any]:
    return dict(yaml.safe_load((CHART / "values.yaml").read_text()))


@pytest.fixture(scope="module")
def default(helm: Path) -> list[dict[str, Any]]:
    return render(helm)


@pytest.fixture(scope="module")
def demo(helm: Path) -> list[dict[str, Any]]:
    return render(helm, DEMO)


@pytest.fixture(scope="module")
def external(helm: Path) -> list[dict[str, Any]]:
    return render(helm, EXTERNAL)


@pytest.fixture(scope="module")
def old_strimzi(helm: Path) -> list[dict[str, Any]]:
    return render(helm, sets=(f"kafka.strimzi.apiVersion={OLD_STRIMZI}",))


# --- values against the registry (no helm needed) ---------------------------------------------


def test_the_topics_of_the_values_are_the_registry() -> None:
    listed = [(t["name"], t["partitions"], t["retentionMs"], t["compacted"], t["restricted"])
              for t in values()["topics"]]
    registry = [(t.name, t.partitions, t.retention_ms, t.compacted, t.restricted)
                for t in DEFAULT]
    assert listed == registry


def test_every_consumer_and_producer_in_the_registry_has_its_acl() -> None:
    services = values()["services"]
    for topic in DEFAULT:
        for name in set(topic.consumers) & set(SERVICES):
            assert topic.name in services[name]["consumes"], (name, topic.name)
        for name in set(topic.producers) & set(SERVICES):
            assert topic.name in services[name]["produces"], (name, topic.name)
    known = {t.name for t in DEFAULT}
    for name in SERVICES:
        assert set(services[name]["consumes"]) | set(services[name]["produces"]) <= known


# --- helm lint, offline schema validation -------------------------------------------------------


@pytest.mark.parametrize("extra", [(), (DEMO,), (EXTERNAL,)], ids=["default", "demo", "external"])
def test_the_chart_lints_clean(helm: Path, extra: tuple[Path, ...]) -> None:
    argv = ["lint", "--strict", str(CHART), *KUBE_VERSION]
    for path in extra:
        argv += ["-f", str(path)]
    proc = run_helm(helm, *argv)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 chart(s) failed" in proc.stdout


_VALID: set[str] = set()


@pytest.mark.parametrize("which", ["default", "demo", "external", "old_strimzi"])
def test_every_core_resource_is_valid_for_kubernetes(
    which: str, request: pytest.FixtureRequest
) -> None:
    docs = request.getfixturevalue(which)
    validated = 0
    for doc in docs:
        if (doc["apiVersion"], doc["kind"]) in OPERATOR_KINDS:
            continue
        key = json.dumps(doc, sort_keys=True)
        if key not in _VALID:  # the renders share most resources; each is validated once
            for version in K8S_VERSIONS:
                kubernetes_validate.validate(doc, version, strict=True)
            _VALID.add(key)
        validated += 1
    kinds = {d["kind"] for d in docs}
    assert {"Deployment", "Service", "PodDisruptionBudget"} <= kinds
    assert validated >= 3 * len(SERVICES)
    unknown = {(d["apiVersion"], d["kind"]) for d in docs if "." in d["apiVersion"].split("/")[0]
               and not d["apiVersion"].startswith(("policy/", "autoscaling/"))}
    assert unknown <= OPERATOR_KINDS


def test_a_resource_kubernetes_would_refuse_is_caught() -> None:
    bad = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "x"},
           "spec": {"ports": [{"port": "eighty"}]}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(bad, K8S_VERSIONS[-1], strict=True)


# --- Kafka through Strimzi ----------------------------------------------------------------------


@pytest.mark.parametrize("which", ["default", "old_strimzi"])
def test_kafka_is_a_kraft_cluster_of_three_replicas(
    which: str, request: pytest.FixtureRequest
) -> None:
    docs = request.getfixturevalue(which)
    [kafka] = of_kind(docs, "Kafka")
    name = kafka["metadata"]["name"]
    strimzi = {d["apiVersion"] for d in docs if d["kind"] in STRIMZI_KINDS}
    if which == "old_strimzi":
        assert strimzi == {OLD_STRIMZI}
        assert kafka["metadata"]["annotations"] == {"strimzi.io/node-pools": "enabled",
                                                    "strimzi.io/kraft": "enabled"}
    else:
        assert strimzi == {"kafka.strimzi.io/v1"}
        assert "annotations" not in kafka["metadata"]
    config = kafka["spec"]["kafka"]["config"]
    assert config["default.replication.factor"] == 3
    assert config["min.insync.replicas"] == 2
    assert config["offsets.topic.replication.factor"] == 3
    assert config["auto.create.topics.enable"] is False
    [listener] = kafka["spec"]["kafka"]["listeners"]
    assert listener["tls"] is True and listener["authentication"] == {"type": "scram-sha-512"}
    assert kafka["spec"]["kafka"]["authorization"] == {"type": "simple"}
    assert set(kafka["spec"]["entityOperator"]) == {"topicOperator", "userOperator"}
    pools = {p["spec"]["roles"][0]: p for p in of_kind(docs, "KafkaNodePool")}
    assert set(pools) == {"controller", "broker"}
    for pool in pools.values():
        assert pool["metadata"]["labels"]["strimzi.io/cluster"] == name
        assert pool["spec"]["replicas"] == 3
        [volume] = pool["spec"]["storage"]["volumes"]
        assert volume["type"] == "persistent-claim" and volume["deleteClaim"] is False


def test_one_kafka_topic_per_registry_topic(default: list[dict[str, Any]]) -> None:
    [kafka] = of_kind(default, "Kafka")
    topics = {t["spec"]["topicName"]: t for t in of_kind(default, "KafkaTopic")}
    assert set(topics) == {t.name for t in DEFAULT}
    for topic in DEFAULT:
        resource = topics[topic.name]
        assert resource["metadata"]["labels"]["strimzi.io/cluster"] == kafka["metadata"]["name"]
        assert resource["spec"]["partitions"] == topic.partitions
        assert resource["spec"]["replicas"] == 3
        config = resource["spec"]["config"]
        # An integer, not 7.776e+09 (helm's float64 would print that and Kafka would refuse it).
        assert config["retention.ms"] == topic.retention_ms
        assert isinstance(config["retention.ms"], int)
        assert config["cleanup.policy"] == topic.configs["cleanup.policy"]
        assert config["min.insync.replicas"] == 2


def _acls(user: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    return [(a["resource"]["type"], a["resource"]["name"], a["resource"]["patternType"], op)
            for a in user["spec"]["authorization"]["acls"] for op in a["operations"]]


def test_only_paicha_services_read_restricted_topics(default: list[dict[str, Any]]) -> None:
    restricted = {t.name for t in DEFAULT if t.restricted}
    users = of_kind(default, "KafkaUser")
    readers: dict[str, set[str]] = {}
    for user in users:
        assert user["spec"]["authentication"] == {"type": "scram-sha-512"}
        for kind, name, pattern, op in _acls(user):
            if kind == "topic" and op == "Read":
                for topic in DEFAULT:
                    if topic.name == name or (pattern == "prefix" and topic.name.startswith(name)):
                        readers.setdefault(topic.name, set()).add(component(user))
    for restricted_name in restricted:
        assert readers.get(restricted_name), f"nobody reads {restricted_name}"
        assert readers[restricted_name] <= set(SERVICES), (restricted_name, readers)
    # Feeds write their own raw topic only; the outbound relay reads assist replies only.
    for user in users:
        if component(user).startswith("feed-"):
            feed = component(user).removeprefix("feed-")
            assert _acls(user) == [("topic", f"paicha.feeds.{feed}.raw", "literal", "Write"),
                                   ("topic", f"paicha.feeds.{feed}.raw", "literal", "Describe")]
    outbound = [u for u in users if component(u) == "outbound"]
    assert [a for a in _acls(outbound[0]) if a[0] == "topic" and a[3] == "Read"] == [
        ("topic", "paicha.tasking.assist-replies.v1", "literal", "Read")]


def test_each_service_user_may_use_its_group_and_topics(default: list[dict[str, Any]]) -> None:
    services = values()["services"]
    users = {component(u): u for u in of_kind(default, "KafkaUser")}
    for name in SERVICES:
        acls = set(_acls(users[name]))
        svc = services[name]
        assert ("group", svc["consumerGroup"], "literal", "Read") in acls
        for topic in svc["consumes"]:
            assert ("topic", topic, "literal", "Read") in acls
        for topic in svc["produces"]:
            assert ("topic", topic, "literal", "Write") in acls
        writes = {a[1] for a in acls if a[3] == "Write" and a[2] == "literal"}
        assert writes == set(svc["produces"]), name
    # faust creates its changelog/command topics (named after the app id) itself.
    assert ("topic", "paicha-triage-", "prefix", "Create") in set(_acls(users["triage"]))


# --- MongoDB replica set ------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["default", "demo"])
def test_mongodb_is_a_three_member_replica_set_with_a_user_per_service(
    which: str, request: pytest.FixtureRequest
) -> None:
    docs = request.getfixturevalue(which)
    [mongo] = of_kind(docs, "MongoDBCommunity")
    spec = mongo["spec"]
    assert spec["type"] == "ReplicaSet" and spec["members"] == 3
    assert spec["security"]["authentication"]["modes"] == ["SCRAM"]
    users = {u["name"]: u for u in spec["users"]}
    databases = {"intake": "paicha_intake", "tasking": "paicha_tasking",
                 "reporting": "paicha_reporting"}
    if which == "demo":
        databases[INTAKE_API] = "paicha_intake"
    assert set(users) == set(databases)  # triage keeps its state in Kafka
    deployments = {component(d): d for d in of_kind(docs, "Deployment")}
    for name, database in databases.items():
        assert users[name]["roles"] == [{"name": "readWrite", "db": database}]
        assert users[name]["passwordSecretRef"]["name"]
        env = {e["name"]: e for e in container(deployments[name])["env"]}
        prefix = MODULES[name].upper() + "_"
        ref = env[prefix + "MONGO__URL"]["valueFrom"]["secretKeyRef"]
        assert ref == {"name": users[name]["connectionStringSecretName"],
                       "key": "connectionString.standard"}
        assert env[prefix + "MONGO__DATABASE"]["value"] == database


# --- the services -------------------------------------------------------------------------------


def _partition_bound(name: str) -> int | None:
    """Partitions of the busiest topic the service consumes; None when it consumes none."""
    consumes = values()["services"][name]["consumes"]
    return max((t.partitions for t in DEFAULT if t.name in consumes), default=None)


@pytest.mark.parametrize("which", ["default", "demo", "external"])
def test_each_service_runs_probed_and_behind_a_service(
    which: str, request: pytest.FixtureRequest
) -> None:
    docs = request.getfixturevalue(which)
    deployments = {component(d): d for d in of_kind(docs, "Deployment")}
    assert set(deployments) == set(SERVICES) | ({INTAKE_API} if which != "default" else set())
    services = {component(s): s for s in of_kind(docs, "Service")}
    budgets = {component(p): p for p in of_kind(docs, "PodDisruptionBudget")}
    for name, deployment in deployments.items():
        pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
        selector = deployment["spec"]["selector"]["matchLabels"]
        assert selector.items() <= pod_labels.items()
        main = container(deployment)
        assert main["command"] == ["python", "-m", f"services.{MODULES[name]}"]
        assert main["ports"] == [{"name": "http", "containerPort": PORTS[name], "protocol": "TCP"}]
        assert main["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
        assert main["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
        assert main["startupProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
        assert main["securityContext"]["readOnlyRootFilesystem"] is True
        assert services[name]["spec"]["selector"].items() <= pod_labels.items()
        assert services[name]["spec"]["ports"][0]["port"] == PORTS[name]
        assert budgets[name]["spec"]["selector"]["matchLabels"] == selector
        annotations = deployment["spec"]["template"]["metadata"]["annotations"]
        assert annotations["prometheus.io/scrape"] == "true"
        assert annotations["prometheus.io/port"] == str(PORTS[name])
        assert annotations["prometheus.io/path"] == "/metrics"
        replicas = deployment["spec"].get("replicas", 1)
        assert 1 <= replicas <= (_partition_bound(name) or replicas)
    for hpa in of_kind(docs, "HorizontalPodAutoscaler"):
        target = hpa["spec"]["scaleTargetRef"]["name"]
        name = component(hpa)
        assert target == deployments[name]["metadata"]["name"]
        assert "replicas" not in deployments[name]["spec"]  # the HPA owns the count
        bound = _partition_bound(name)
        assert bound is None or hpa["spec"]["maxReplicas"] <= bound


def test_triage_may_take_its_time_to_recover_its_tables(default: list[dict[str, Any]]) -> None:
    deployments = {component(d): d for d in of_kind(default, "Deployment")}
    probe = container(deployments["triage"])["startupProbe"]
    assert probe["periodSeconds"] * probe["failureThreshold"] >= 600
    env = {e["name"]: e.get("value") for e in container(deployments["triage"])["env"]}
    assert env["TRIAGE_REPLICATION_FACTOR"] == "3"
    assert env["TRIAGE_HTTP_HOST"] == "0.0.0.0"


def test_replicas_beyond_the_partitions_are_refused(helm: Path) -> None:
    argv = ["template", RELEASE, str(CHART), *KUBE_VERSION,
            "--set", "services.triage.autoscaling.enabled=true",
            "--set", "services.triage.autoscaling.maxReplicas=7"]
    proc = run_helm(helm, *argv)
    assert proc.returncode != 0
    assert "services.triage.autoscaling.maxReplicas=7 exceeds 6" in proc.stderr
    proc = run_helm(helm, "template", RELEASE, str(CHART), *KUBE_VERSION,
                    "--set", "services.intake.replicas=4")
    assert proc.returncode != 0
    assert "services.intake.replicas=4 exceeds 3" in proc.stderr


def test_production_values_create_no_secret_and_reference_only_named_ones(
    default: list[dict[str, Any]],
) -> None:
    assert of_kind(default, "Secret") == []
    v = values()
    [kafka] = of_kind(default, "Kafka")
    [mongo] = of_kind(default, "MongoDBCommunity")
    made_by_operators = {kafka["metadata"]["name"] + "-cluster-ca-cert"}
    made_by_operators |= {u["metadata"]["name"] for u in of_kind(default, "KafkaUser")}
    made_by_operators |= {u["connectionStringSecretName"] for u in mongo["spec"]["users"]}
    named_in_values = {v["secrets"]["personKey"]["name"], v["secrets"]["tokenHashes"]["name"]}
    for deployment in of_kind(default, "Deployment"):
        main = container(deployment)
        for env in main["env"]:
            ref = env.get("valueFrom", {}).get("secretKeyRef")
            if ref:
                assert ref["name"] in made_by_operators | named_in_values, env
            elif any(word in env["name"] for word in ("PASSWORD", "SECRET", "TOKEN")):
                pytest.fail(f"{env['name']} is a plain value; secrets come from Secrets")
        for volume in deployment["spec"]["template"]["spec"]["volumes"]:
            if "secret" in volume:
                assert volume["secret"]["secretName"] in made_by_operators


def test_the_demo_creates_every_secret_it_references(demo: list[dict[str, Any]]) -> None:
    secrets = {s["metadata"]["name"]: s["stringData"] for s in of_kind(demo, "Secret")}
    [mongo] = of_kind(demo, "MongoDBCommunity")
    for user in mongo["spec"]["users"]:
        assert secrets[user["passwordSecretRef"]["name"]]["password"]
    for deployment in of_kind(demo, "Deployment"):
        for env in container(deployment)["env"]:
            ref = env.get("valueFrom", {}).get("secretKeyRef")
            if ref and ref["name"] in secrets:
                assert ref["key"] in secrets[ref["name"]], env


def test_a_token_instead_of_its_hash_is_refused(helm: Path) -> None:
    proc = run_helm(helm, "template", RELEASE, str(CHART), *KUBE_VERSION, "-f", str(DEMO),
                    "--set", "secrets.demo.tokenHashes.tasking-admin=my-plain-token")
    assert proc.returncode != 0
    assert "tokenHashes.tasking-admin is not a SHA-256 hex digest" in proc.stderr


def test_service_monitor_scrapes_every_service(demo: list[dict[str, Any]]) -> None:
    [monitor] = of_kind(demo, "ServiceMonitor")
    selector = monitor["spec"]["selector"]
    [expression] = selector["matchExpressions"]
    assert expression["key"] == "app.kubernetes.io/component"
    for service in of_kind(demo, "Service"):
        labels = service["metadata"]["labels"]
        assert selector["matchLabels"].items() <= labels.items()
        assert labels[expression["key"]] in expression["values"]
        assert "http" in [p["name"] for p in service["spec"]["ports"]]
    assert monitor["spec"]["endpoints"] == [{"port": "http", "path": "/metrics",
                                             "interval": "15s"}]


def test_external_engines_are_used_through_named_secrets(external: list[dict[str, Any]]) -> None:
    kinds = {d["kind"] for d in external}
    assert not kinds & {"Kafka", "KafkaTopic", "KafkaUser", "MongoDBCommunity", "Secret"}
    for deployment in of_kind(external, "Deployment"):
        name = component(deployment)
        env = {e["name"]: e for e in container(deployment)["env"]}
        prefix = MODULES[name].upper() + "_"
        assert env[prefix + "KAFKA__BOOTSTRAP"]["value"].startswith("kafka-0.kafka.example")
        assert env[prefix + "KAFKA__SASL_PASSWORD"]["valueFrom"]["secretKeyRef"] == {
            "name": f"paicha-kafka-{name}", "key": "password"}
        assert env[prefix + "KAFKA__SSL_CAFILE"]["value"] == "/etc/paicha/kafka-ca/ca.crt"
        if prefix + "MONGO__URL" in env:
            assert env[prefix + "MONGO__URL"]["valueFrom"]["secretKeyRef"] == {
                "name": "paicha-mongo-urls", "key": name}


# --- the rendered environment against each service's settings model ----------------------------


def _env_names(model: type[BaseModel], prefix: str) -> set[str]:
    names = set()
    for field, info in model.model_fields.items():
        kind = info.annotation
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            names |= _env_names(kind, f"{prefix}{field.upper()}__")
        else:
            names.add(prefix + field.upper())
    return names


@contextmanager
def _environment(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> Iterator[None]:
    with monkeypatch.context() as patch:
        for key, value in env.items():
            patch.setenv(key, value)
        yield


@pytest.mark.parametrize("name", [*SERVICES, INTAKE_API])
def test_the_settings_model_reads_the_rendered_environment(
    name: str, demo: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    module_name, class_name = SETTINGS[MODULES[name]]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError:
        pytest.skip(f"{module_name} is not on this branch yet")
    model = getattr(module, class_name)
    secrets = {s["metadata"]["name"]: s["stringData"] for s in of_kind(demo, "Secret")}
    deployment = next(d for d in of_kind(demo, "Deployment") if component(d) == name)
    env: dict[str, str] = {}
    for item in container(deployment)["env"]:
        if "value" in item:
            env[item["name"]] = item["value"]
            continue
        ref = item["valueFrom"]["secretKeyRef"]
        if ref["name"] in secrets:  # made by the chart (demo)
            if ref["key"] in secrets[ref["name"]]:
                env[item["name"]] = secrets[ref["name"]][ref["key"]]
            else:
                assert ref.get("optional"), item
        elif ref["key"] == "connectionString.standard":  # made by the MongoDB operator
            env[item["name"]] = f"mongodb://{name}:pw@paicha-mongo-svc:27017/?replicaSet=x"
        else:  # made by Strimzi's user operator
            env[item["name"]] = "a-strimzi-made-password"
    unknown = set(env) - _env_names(model, MODULES[name].upper() + "_")
    assert not unknown, f"{name} has no setting for {sorted(unknown)}"
    with _environment(monkeypatch, env):
        settings = model()
    assert settings.kafka.bootstrap == "paicha-kafka-kafka-bootstrap:9093"
    assert settings.kafka.security_protocol == "SASL_SSL"
    assert settings.kafka.sasl_mechanism == "SCRAM-SHA-512"
    assert settings.kafka.sasl_username == f"paicha-{name}"
    assert settings.kafka.ssl_cafile == "/etc/paicha/kafka-ca/ca.crt"
    port = settings.http_port if name == "triage" else settings.http.port
    assert port == PORTS[name]
    if name != "triage":
        assert settings.environment == "production"
        assert settings.mongo.database == f"paicha_{MODULES[name]}"
    if name == INTAKE_API:
        assert settings.consume_raw is False
    elif name == "intake":
        assert settings.consume_raw is True


# --- optional: the operators' own CRD schemas ---------------------------------------------------


def _closed(schema: Any) -> Any:
    """A CRD schema that refuses unknown fields (the API server would prune them silently)."""
    if isinstance(schema, list):
        return [_closed(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    closed = {key: _closed(value) for key, value in schema.items()}
    if ("properties" in closed and "additionalProperties" not in closed
            and not closed.get("x-kubernetes-preserve-unknown-fields")):
        closed["additionalProperties"] = False
    return closed


def test_operator_resources_match_the_operators_crds(
    default: list[dict[str, Any]], old_strimzi: list[dict[str, Any]]
) -> None:
    """With PAICHA_CRD_DIR naming a directory of CRD files (Strimzi's
    packaging/install/cluster-operator/04*-Crd-*.yaml of 0.40 and of 1.x, MongoDB's
    mongodbcommunity.mongodb.com_mongodbcommunity.yaml), every operator resource the chart
    renders is validated against the CRD's schema. No package ships these, so it is opt-in."""
    directory = os.environ.get("PAICHA_CRD_DIR")
    if not directory:
        pytest.skip("set PAICHA_CRD_DIR to a directory of the operators' CRD files")
    schemas: dict[tuple[str, str], Any] = {}
    for path in sorted(Path(directory).glob("*.yaml")):
        for crd in yaml.safe_load_all(path.read_text()):
            if not crd or crd.get("kind") != "CustomResourceDefinition":
                continue
            group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
            for version in crd["spec"]["versions"]:
                if version.get("served") and "schema" in version:
                    schema = _closed(version["schema"]["openAPIV3Schema"])
                    schema.setdefault("properties", {})["metadata"] = {"type": "object"}
                    schemas[(f"{group}/{version['name']}", kind)] = schema
    checked = set()
    for doc in [*default, *old_strimzi]:
        key = (doc["apiVersion"], doc["kind"])
        if key in OPERATOR_KINDS and key in schemas:
            errors = [f"{list(e.absolute_path)}: {e.message}" for e in
                      jsonschema.Draft7Validator(schemas[key]).iter_errors(doc)]
            assert not errors, (key, doc["metadata"]["name"], errors)
            checked.add(key)
    assert checked, f"no CRD in {directory} matches a resource the chart renders"


def test_every_service_with_protected_routes_gets_its_admin_token_hash(
    demo: list[dict[str, Any]],
) -> None:
    """Without its admin token hash a service refuses every state-changing call: on a cluster
    nobody could publish a risk area or load a grid directory."""
    deployments = {component(d): d for d in of_kind(demo, "Deployment")}
    for name in SERVICES:
        env = {e["name"]: e for e in container(deployments[name])["env"]}
        ref = env[f"{name.upper()}_ADMIN_TOKEN_HASH"]["valueFrom"]["secretKeyRef"]
        assert ref["key"] == f"{name}-admin"
