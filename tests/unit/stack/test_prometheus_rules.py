"""The alert rules and dashboards as promtool sees them: rules load, every alert has a
firing and a quiet `promtool test rules` case, every dashboard query parses; alerts carry a
`for:`, a severity and a Chinese + English summary, and no label that could name a person."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.prometheus_support import (
    ALERT_INNER,
    PROMETHEUS_DIR,
    RULE_TESTS,
    RULES,
    alert_rules,
    dashboard_queries,
    promtool,
    squash,
)

PII_WORDS = ("person", "name", "id_number", "mobile", "phone", "address", "record_id")


@pytest.fixture(scope="module")
def tool() -> str:
    found = promtool()
    if found is None:
        pytest.skip("promtool missing and not installable here (apt-get install prometheus)")
    return found


def test_every_alert_is_listed_with_the_series_it_compares():
    rules = {r["alert"]: squash(r["expr"]) for r in alert_rules()}
    assert set(rules) == set(ALERT_INNER)
    for name, inner in ALERT_INNER.items():
        for expr in inner:
            assert squash(expr) in rules[name], (name, expr)


def test_alerts_wait_have_a_severity_and_a_bilingual_summary_naming_their_labels():
    for rule in alert_rules():
        name = rule["alert"]
        assert "for" in rule, name
        assert rule["labels"]["severity"] in {"page", "warn"}, name
        summary = rule["annotations"]["summary"]
        assert re.search(r"[\u4e00-\u9fff]", summary) and re.search(r"[A-Za-z]{3}", summary), name
        grouped = {label.strip() for by in re.findall(r"by \(([^)]*)\)", rule["expr"])
                   for label in by.split(",")} - {"le"}
        for label in grouped:  # the township / feed / topic the alert is about is in its text
            assert f"$labels.{label}" in summary, (name, label)


def test_no_query_groups_or_filters_by_anything_personal():
    texts = [r["expr"] + str(r["annotations"]) for r in alert_rules()]
    texts += [q.expr for q in dashboard_queries()]
    for text in texts:
        labels = re.findall(r"by \(([^)]*)\)", text) + re.findall(r"\{([^}]*)\}", text)
        for word in PII_WORDS:
            assert not any(word in group for group in labels), (word, text)


def test_promtool_accepts_the_rules_and_the_configuration(tool, tmp_path):
    check = subprocess.run([tool, "check", "rules", str(RULES)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    config = yaml.safe_load((PROMETHEUS_DIR / "prometheus.yml").read_text())
    config["rule_files"] = [str(RULES)]  # the image mounts them at /etc/prometheus/rules
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    check = subprocess.run([tool, "check", "config", str(tmp_path / "prometheus.yml")],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_promtool_rule_tests_pass(tool):
    files = sorted(str(p) for p in RULE_TESTS.glob("*.yml"))
    result = subprocess.run([tool, "test", "rules", *files], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_has_a_firing_and_a_quiet_rule_test():
    firing: set[str] = set()
    quiet: set[str] = set()
    for path in RULE_TESTS.glob("*.yml"):
        for case in yaml.safe_load(path.read_text())["tests"]:
            for check in case.get("alert_rule_test", []):
                (firing if check.get("exp_alerts") else quiet).add(check["alertname"])
    names = {r["alert"] for r in alert_rules()}
    assert names <= firing, names - firing
    assert names <= quiet, names - quiet


def test_every_dashboard_query_is_valid_promql(tool, tmp_path: Path):
    queries = dashboard_queries()
    assert queries
    rules = {"groups": [{"name": "dashboards", "rules": [
        {"record": f"dashboard:query_{i}", "expr": q.expr} for i, q in enumerate(queries)]}]}
    path = tmp_path / "dashboards.yml"
    path.write_text(yaml.safe_dump(rules, allow_unicode=True))
    check = subprocess.run([tool, "check", "rules", str(path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
