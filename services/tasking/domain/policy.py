"""The tasking policy: retry and requeue delays, attempts before public security, escalation
deadlines per tier, test-result due time. Parsed from a mapping (the YAML file) and validated
with one error listing every problem."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any


class PolicyError(ValueError):
    """The policy file is unusable; the message names every bad or missing field."""


@dataclass(frozen=True)
class Policy:
    version: str
    unreachable_retry: timedelta
    max_unreachable_attempts: int
    system_fault_requeue: timedelta
    township_deadline: timedelta
    county_deadline: timedelta
    public_security_deadline: timedelta
    requeue_deadline: timedelta
    test_result_due: timedelta

    def escalation_deadline(self, tier: str) -> timedelta:
        """How long the tier a task escalates to has to verify it."""
        return {"township": self.township_deadline, "county": self.county_deadline,
                "public_security": self.public_security_deadline}[tier]


_FIELDS: dict[str, tuple[tuple[str, str], str, float, float]] = {
    # name: ((section, key), unit, minimum, maximum)
    "unreachable_retry": (("unreachable", "retry_after_minutes"), "minutes", 0, 7 * 24 * 60),
    "max_unreachable_attempts": (("unreachable", "max_attempts"), "count", 1, 100),
    "system_fault_requeue": (("system_fault", "requeue_after_minutes"), "minutes", 0, 7 * 24 * 60),
    "township_deadline": (("escalation", "township_hours"), "hours", 0, 24 * 30),
    "county_deadline": (("escalation", "county_hours"), "hours", 0, 24 * 30),
    "public_security_deadline": (("escalation", "public_security_hours"), "hours", 0, 24 * 30),
    "requeue_deadline": (("requeue", "deadline_hours"), "hours", 0, 24 * 30),
    "test_result_due": (("tests", "result_due_hours"), "hours", 1, 24 * 7),
}


def parse_policy(data: Any, *, where: str = "policy") -> Policy:
    """A Policy from the parsed YAML; PolicyError listing every problem otherwise."""
    if not isinstance(data, Mapping):
        raise PolicyError(f"{where}: the policy must be a mapping, got {type(data).__name__}")
    problems: list[str] = []
    version = data.get("version")
    if not isinstance(version, str) or not version.strip():
        problems.append("version: missing or empty (a string naming this policy's version)")
    values: dict[str, Any] = {}
    for name, ((section, key), unit, low, high) in _FIELDS.items():
        block = data.get(section)
        if not isinstance(block, Mapping):
            problems.append(f"{section}: missing section (needs {key})")
            continue
        raw = block.get(key)
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            problems.append(f"{section}.{key}: missing or not a number ({raw!r})")
            continue
        if unit == "count" and not isinstance(raw, int):
            problems.append(f"{section}.{key}: must be a whole number ({raw!r})")
            continue
        if not low <= raw <= high:
            problems.append(f"{section}.{key}: {raw} is outside {low}..{high} {unit}")
            continue
        values[name] = (raw if unit == "count" else
                        timedelta(minutes=raw) if unit == "minutes" else timedelta(hours=raw))
    known = {section for (section, _), *_ in _FIELDS.values()} | {"version"}
    problems += [f"{extra}: unknown section" for extra in data if extra not in known]
    if problems:
        raise PolicyError(f"{where}: " + "; ".join(problems))
    return Policy(version=str(version), **values)
