"""The policy file is loaded and validated at start, with errors naming every bad field."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from services.tasking.domain.policy import PolicyError, parse_policy
from services.tasking.policy import load_policy


def _good() -> dict[str, object]:
    return yaml.safe_load(
        (Path(__file__).parents[3] / "services/tasking/policy/national-9th-edition.yaml")
        .read_text("utf-8"))


def test_the_packaged_policy_loads_with_its_values() -> None:
    policy = load_policy()
    assert policy.version == "2022-06-9th-tasking-1"
    assert policy.unreachable_retry == timedelta(minutes=30)
    assert policy.max_unreachable_attempts == 3
    assert policy.escalation_deadline("township") == timedelta(hours=2)
    assert policy.test_result_due == timedelta(hours=24)


def test_every_problem_is_listed_at_once() -> None:
    data = _good()
    data["unreachable"] = {"retry_after_minutes": "soon", "max_attempts": 0}
    del data["escalation"]
    data["surprise"] = 1
    with pytest.raises(PolicyError) as err:
        parse_policy(data, where="p.yaml")
    message = str(err.value)
    assert message.startswith("p.yaml: ")
    for part in ("unreachable.retry_after_minutes: missing or not a number ('soon')",
                 "unreachable.max_attempts: 0 is outside 1..100",
                 "escalation: missing section", "surprise: unknown section"):
        assert part in message


def test_a_fractional_attempt_count_and_a_missing_version_are_refused() -> None:
    data = _good()
    data["unreachable"]["max_attempts"] = 2.5  # type: ignore[index]
    data["version"] = " "
    with pytest.raises(PolicyError, match=r"max_attempts: must be a whole number.*|version"):
        parse_policy(data)


def test_a_policy_that_is_not_a_mapping_or_not_yaml_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="must be a mapping"):
        parse_policy(["a"])
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: [unclosed", "utf-8")
    with pytest.raises(PolicyError, match="not valid YAML"):
        load_policy(bad)
    with pytest.raises(PolicyError, match="cannot read"):
        load_policy(tmp_path / "missing.yaml")
