"""Builds a Policy from a parsed YAML document, reporting each problem with its path."""

from __future__ import annotations

from datetime import timedelta
from types import MappingProxyType
from typing import Any

from contracts.vocabulary import Category, Measure

from . import policy_fields as f
from .policy import CategoryRule, Phase, Policy
from .policy_fields import Problems

_TOP_KEYS = ("version", "effective_from", "lookback", "severity", "categories")
_RULE_KEYS = ("measure", "measure_days", "test_days", "verification_deadline")
_RULE_OPTIONAL = ("followed_by", "test_result_deadline", "note")


def build_policy(document: object, problems: Problems) -> Policy | None:
    """The policy, or None with every problem added to `problems`."""
    top = f.mapping(document, "", problems, _TOP_KEYS, ("title",))
    if top is None:
        return None
    version = f.text(top["version"], "version", problems) if "version" in top else None
    effective = (f.calendar_date(top["effective_from"], "effective_from", problems)
                 if "effective_from" in top else None)
    lookback = f.duration(top["lookback"], "lookback", problems) if "lookback" in top else None
    severity = _severity(top["severity"], problems) if "severity" in top else None
    rules = _rules(top["categories"], problems) if "categories" in top else None
    title = f.text(top["title"], "title", problems) if "title" in top else ""
    if (problems or version is None or effective is None or lookback is None
            or severity is None or rules is None or title is None):
        return None
    return Policy(version, effective, lookback, severity, MappingProxyType(rules), title)


def _severity(node: object, problems: Problems) -> tuple[tuple[Category, ...], ...] | None:
    if not isinstance(node, list) or not node:
        problems.add("severity", f"must be a list of tiers, most severe first, got {f.shown(node)}")
        return None
    tiers: list[tuple[Category, ...]] = []
    seen: set[Category] = set()
    for index, tier in enumerate(node):
        names = tier if isinstance(tier, list) else [tier]  # a lone name is a tier of one
        if not names:
            problems.add(f"severity[{index}]", "must name at least one category")
        members = [f.choice(name, Category, f"severity[{index}]", problems, "category")
                   for name in names]
        for member in (m for m in members if m is not None):
            if member in seen:
                problems.add("severity", f"{member} is listed more than once")
            seen.add(member)
        tiers.append(tuple(m for m in members if m is not None))
    for missing in (c for c in Category if c not in seen):
        problems.add("severity", f"{missing} is missing")
    return tuple(tiers)


def _rules(node: object, problems: Problems) -> dict[Category, CategoryRule] | None:
    found = f.mapping(node, "categories", problems, [c.value for c in Category],
                      unknown=f"unknown category (expected {', '.join(Category)})")
    if found is None:
        return None
    rules = {}
    for category in Category:
        if category.value in found:
            rule = _rule(category, found[category.value], problems)
            if rule is not None:
                rules[category] = rule
    return rules


def _rule(category: Category, node: object, problems: Problems) -> CategoryRule | None:
    path = f"categories.{category}"
    raw = f.mapping(node, path, problems, _RULE_KEYS, _RULE_OPTIONAL)
    if raw is None or any(key not in raw for key in _RULE_KEYS):
        return None
    measure = f.choice(raw["measure"], Measure, f"{path}.measure", problems, "measure")
    days = f.whole_number(raw["measure_days"], f"{path}.measure_days", problems, 0)
    follow = _phase(raw["followed_by"], f"{path}.followed_by", problems) if raw.get(
        "followed_by") is not None else None
    tests = f.day_list(raw["test_days"], f"{path}.test_days", problems)
    verify = f.duration(raw["verification_deadline"], f"{path}.verification_deadline", problems)
    result = _result_deadline(raw.get("test_result_deadline"), tests, path, problems)
    if measure is None or days is None or tests is None or verify is None:
        return None
    if (measure is Measure.NONE) != (days == 0):
        problems.add(f"{path}.measure_days",
                     f"must be 0 exactly when the measure is none, got {days}")
    rule = CategoryRule(category, measure, days, follow, tests, verify, result)
    if tests and tests[-1] > rule.total_days:
        problems.add(f"{path}.test_days",
                     f"day {tests[-1]} is after the measures end (day {rule.total_days})")
    return rule


def _phase(node: object, path: str, problems: Problems) -> Phase | None:
    raw: dict[str, Any] | None = f.mapping(node, path, problems, ("measure", "days"))
    if raw is None or "measure" not in raw or "days" not in raw:
        return None
    measure = f.choice(raw["measure"], Measure, f"{path}.measure", problems, "measure")
    days = f.whole_number(raw["days"], f"{path}.days", problems, 1)
    if measure is Measure.NONE:
        problems.add(f"{path}.measure", "a following phase needs a measure other than none")
    return Phase(measure, days) if measure and days else None


def _result_deadline(value: object, tests: tuple[int, ...] | None, path: str,
                     problems: Problems) -> timedelta | None:
    where = f"{path}.test_result_deadline"
    if tests and value is None:
        problems.add(where, "is required when there are test days")
    elif tests == () and value is not None:
        problems.add(where, f"must be null when there are no test days, got {f.shown(value)}")
    return f.duration(value, where, problems) if tests and value is not None else None
