"""The triage policy: each category's measure, test days and deadlines, the look-back window and
the severity order, loaded from a versioned YAML file and validated on load."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from pathlib import Path

import yaml

from contracts.vocabulary import Category, Measure

from .policy_fields import PolicyError, Problems

DEFAULT_POLICY_FILE = "national-9th-edition.yaml"


@dataclass(frozen=True)
class Phase:
    measure: Measure
    days: int


@dataclass(frozen=True)
class CategoryRule:
    category: Category
    measure: Measure
    measure_days: int
    followed_by: Phase | None  # e.g. close contacts: 3 d home health monitoring after quarantine
    test_days: tuple[int, ...]  # day 1 is the day the measure starts
    verification_deadline: timedelta
    test_result_deadline: timedelta | None  # None exactly when there are no test days

    @property
    def total_days(self) -> int:
        return self.measure_days + (self.followed_by.days if self.followed_by else 0)


@dataclass(frozen=True)
class Policy:
    version: str
    effective_from: date
    lookback: timedelta
    severity: tuple[tuple[Category, ...], ...]  # most severe tier first; a tier ranks equal
    rules: Mapping[Category, CategoryRule]
    title: str = ""

    def rule(self, category: Category) -> CategoryRule:
        return self.rules[category]

    def rank(self, category: Category) -> int:
        """Higher is more severe; categories in one tier have the same rank."""
        for index, tier in enumerate(self.severity):
            if category in tier:
                return len(self.severity) - index
        raise KeyError(category)


def default_policy() -> Policy:
    resource = resources.files("services.triage.policy").joinpath(DEFAULT_POLICY_FILE)
    return load_policy(resource.read_text(encoding="utf-8"), source=DEFAULT_POLICY_FILE)


def load_policy(path_or_text: str | Path, *, source: str | None = None) -> Policy:
    """Load and validate a policy; raises PolicyError listing every problem with its path.

    A Path, or a one-line str ending in .yaml/.yml, is read as a file; any other str is YAML text.
    """
    is_file = isinstance(path_or_text, Path) or (
        "\n" not in path_or_text and path_or_text.endswith((".yaml", ".yml")))
    text = Path(path_or_text).read_text(encoding="utf-8") if is_file else str(path_or_text)
    label = source or (str(path_or_text) if is_file else "text")
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PolicyError(label, [f"not valid YAML: {exc}"]) from exc
    # Imported here because the schema module builds the classes defined above.
    from .policy_schema import build_policy

    problems = Problems()
    policy = build_policy(document, problems)
    if problems or policy is None:
        raise PolicyError(label, problems)
    return policy
