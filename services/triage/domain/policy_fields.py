"""Path-aware readers for the policy file: each turns one YAML value into a typed value or a
problem message naming where in the file it is."""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping
from datetime import date, datetime, timedelta
from enum import StrEnum
from itertools import pairwise
from typing import Any, TypeVar

E = TypeVar("E", bound=StrEnum)

_DURATION = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?")


class PolicyError(ValueError):
    """A policy that cannot be used; `problems` lists every reason, each starting with its path."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = tuple(problems)
        super().__init__(f"invalid policy {source}: " + "; ".join(problems))


class Problems(list[str]):
    def add(self, path: str, message: str) -> None:
        self.append(f"{path or '(top level)'}: {message}")


def shown(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def mapping(node: object, path: str, problems: Problems, required: Collection[str],
            optional: Collection[str] = (), unknown: str = "unknown key") -> dict[str, Any] | None:
    """The node as a dict, with each missing required key and each unexpected key reported."""
    if not isinstance(node, Mapping):
        problems.add(path, f"must be a mapping, got {shown(node)}")
        return None
    for key in required:
        if key not in node:
            problems.add(join(path, key), "is required")
    for key in node:
        if key not in required and key not in optional:
            problems.add(join(path, key), unknown)
    return dict(node)


def duration(value: object, path: str, problems: Problems) -> timedelta | None:
    match = _DURATION.fullmatch(value.strip()) if isinstance(value, str) else None
    if match and any(match.groups()):
        days, hours, minutes = (int(group or 0) for group in match.groups())
        span = timedelta(days=days, hours=hours, minutes=minutes)
        if span > timedelta(0):
            return span
    problems.add(path, f'must be a positive duration like "2h", got {shown(value)}')
    return None


def whole_number(value: object, path: str, problems: Problems, minimum: int) -> int | None:
    # bool is an int in Python; `measure_days: yes` is a typo, not 1.
    if isinstance(value, int) and not isinstance(value, bool) and value >= minimum:
        return value
    problems.add(path, f"must be a whole number of days from {minimum}, got {shown(value)}")
    return None


def day_list(value: object, path: str, problems: Problems) -> tuple[int, ...] | None:
    if not isinstance(value, list):
        problems.add(path, f"must be a list of day numbers like [1, 4, 7], got {shown(value)}")
        return None
    bad = [day for day in value if isinstance(day, bool) or not isinstance(day, int) or day < 1]
    if bad:
        problems.add(path, f"days are whole numbers from 1, got {shown(bad[0])}")
        return None
    if any(later <= earlier for earlier, later in pairwise(value)):
        problems.add(path, f"must be strictly increasing, got {shown(value)}")
        return None
    return tuple(value)


def choice(value: object, kind: type[E], path: str, problems: Problems, noun: str) -> E | None:
    if isinstance(value, str) and value in {member.value for member in kind}:
        return kind(value)
    expected = ", ".join(member.value for member in kind)
    problems.add(path, f"unknown {noun} {shown(value)} (expected one of {expected})")
    return None


def text(value: object, path: str, problems: Problems) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    problems.add(path, f"must be a non-empty string, got {shown(value)}")
    return None


def calendar_date(value: object, path: str, problems: Problems) -> date | None:
    # YAML turns an unquoted 2022-06-28 into a date already; a quoted one stays a string.
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    problems.add(path, f"must be a date like 2022-06-28, got {shown(value)}")
    return None
