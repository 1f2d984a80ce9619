"""An invalid policy file is refused at load with a message naming the place in the file."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from services.triage.domain import PolicyError, load_policy


def bundled() -> dict[str, Any]:
    path = resources.files("services.triage.policy") / "national-9th-edition.yaml"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def problems_of(document: object) -> tuple[str, ...]:
    with pytest.raises(PolicyError) as caught:
        load_policy(yaml.safe_dump(document, allow_unicode=True) + "\n")
    return caught.value.problems


def edited(path: str, value: object) -> dict[str, Any]:
    """The bundled policy with one value replaced (or removed when value is ...)."""
    document = bundled()
    *parents, leaf = path.split(".")
    node = document
    for key in parents:
        node = node[key]
    if value is ...:
        del node[leaf]
    else:
        node[leaf] = value
    return document


INVALID = [
    ("categories.high_risk_area.verification_deadline", "soon",
     'categories.high_risk_area.verification_deadline: must be a positive duration like "2h", '
     'got "soon"'),
    ("categories.low_risk_area.test_result_deadline", "0h",
     'categories.low_risk_area.test_result_deadline: must be a positive duration like "2h", '
     'got "0h"'),
    ("lookback", 7, 'lookback: must be a positive duration like "2h", got 7'),
    ("categories.low_risk_area", ...,
     "categories.low_risk_area: is required"),
    ("categories.quarantine_hotel", {"measure": "none"},
     "categories.quarantine_hotel: unknown category (expected close_contact, "
     "secondary_close_contact, high_risk_area, medium_risk_area, low_risk_area, none, inbound)"),
    ("categories.medium_risk_area.measure", "isolation",
     'categories.medium_risk_area.measure: unknown measure "isolation" (expected one of '
     "centralized_quarantine, home_quarantine, health_monitoring, none)"),
    ("categories.close_contact.test_days", [1, 3, 2],
     "categories.close_contact.test_days: must be strictly increasing, got [1, 3, 2]"),
    ("categories.medium_risk_area.test_days", [1, 4, 4],
     "categories.medium_risk_area.test_days: must be strictly increasing, got [1, 4, 4]"),
    ("categories.medium_risk_area.test_days", [0, 4],
     "categories.medium_risk_area.test_days: days are whole numbers from 1, got 0"),
    ("categories.medium_risk_area.test_days", "1,4,7",
     'categories.medium_risk_area.test_days: must be a list of day numbers like [1, 4, 7], '
     'got "1,4,7"'),
    ("categories.low_risk_area.test_days", [1, 3, 5],
     "categories.low_risk_area.test_days: day 5 is after the measures end (day 3)"),
    ("categories.high_risk_area.measure_days", True,
     "categories.high_risk_area.measure_days: must be a whole number of days from 0, got true"),
    ("categories.none.measure_days", 3,
     "categories.none.measure_days: must be 0 exactly when the measure is none, got 3"),
    ("categories.high_risk_area.measure_days", 0,
     "categories.high_risk_area.measure_days: must be 0 exactly when the measure is none, got 0"),
    ("categories.close_contact.followed_by", {"measure": "none", "days": 3},
     "categories.close_contact.followed_by.measure: a following phase needs a measure other "
     "than none"),
    ("categories.high_risk_area.test_result_deadline", ...,
     "categories.high_risk_area.test_result_deadline: is required when there are test days"),
    ("categories.none.test_result_deadline", "24h",
     'categories.none.test_result_deadline: must be null when there are no test days, got "24h"'),
    ("categories.high_risk_area.verification_deadlne", "2h",
     "categories.high_risk_area.verification_deadlne: unknown key"),
    ("version", ..., "version: is required"),
    ("version", "  ", 'version: must be a non-empty string, got "  "'),
    ("effective_from", "June 2022",
     'effective_from: must be a date like 2022-06-28, got "June 2022"'),
    ("severity", [["close_contact"], ["high_risk_area"], ["secondary_close_contact"],
                  ["low_risk_area"], ["none"]],
     "severity: medium_risk_area is missing"),
    ("severity", [["close_contact", "high_risk_area"], ["high_risk_area"],
                  ["secondary_close_contact", "medium_risk_area"], ["low_risk_area"], ["none"]],
     "severity: high_risk_area is listed more than once"),
    ("severity", "close_contact > high_risk_area",
     'severity: must be a list of tiers, most severe first, got "close_contact > high_risk_area"'),
]


@pytest.mark.parametrize(("path", "value", "message"), INVALID,
                         ids=[f"{n}-{case[0]}" for n, case in enumerate(INVALID)])
def test_invalid_policy_is_refused_with_its_specific_message(path: str, value: object,
                                                             message: str) -> None:
    assert message in problems_of(edited(path, value))


def test_every_problem_is_reported_at_once() -> None:
    document = edited("categories.high_risk_area.verification_deadline", "soon")
    document["categories"]["low_risk_area"]["measure"] = "isolation"
    problems = problems_of(document)
    assert len(problems) == 2
    assert problems[0].startswith("categories.high_risk_area.verification_deadline:")
    assert problems[1].startswith("categories.low_risk_area.measure:")


def test_error_message_names_the_file(tmp_path: Path) -> None:
    source = tmp_path / "county-override.yaml"
    source.write_text(yaml.safe_dump(edited("lookback", "a week")), encoding="utf-8")
    with pytest.raises(PolicyError, match=r"invalid policy .*county-override\.yaml: lookback:"):
        load_policy(source)


def test_a_policy_that_is_not_a_mapping_is_refused() -> None:
    assert problems_of(["version"]) == ('(top level): must be a mapping, got ["version"]',)


def test_broken_yaml_is_refused_as_such() -> None:
    with pytest.raises(PolicyError, match="not valid YAML"):
        load_policy("version: [unclosed\ncategories: {")
