"""The compatibility check: committed schemas vs the last release, and deliberate edits."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from contracts.compat import breaking_changes, check_dirs, main
from contracts.schema_docs import RELEASED_DIR, SCHEMA_DIR

RECORD = "cn.paicha.intake.record.received.v1.json"
REPORT = "cn.paicha.reporting.daily-report.closed.v1.json"
Edit = Callable[[dict[str, Any]], None]


def test_committed_schemas_are_compatible_with_their_release() -> None:
    report = check_dirs()
    assert report and all(problems == [] for problems in report.values()), report


@pytest.fixture
def dirs(tmp_path: Path) -> tuple[Path, Path]:
    current, released = tmp_path / "schemas", tmp_path / "released"
    shutil.copytree(SCHEMA_DIR, current, ignore=shutil.ignore_patterns("released"))
    shutil.copytree(RELEASED_DIR, released)
    return current, released


def _edit(current: Path, name: str, edit: Edit) -> list[str]:
    path = current / name
    schema = json.loads(path.read_text(encoding="utf-8"))
    edit(schema)
    path.write_text(json.dumps(schema), encoding="utf-8")
    return check_dirs(current, current.parent / "released")[name]


def _remove_field(s: dict[str, Any]) -> None:
    del s["properties"]["exposure"]
    s["required"].remove("exposure")


def _remove_nested_field(s: dict[str, Any]) -> None:
    del s["$defs"]["Person"]["properties"]["mobile"]


def _require_optional(s: dict[str, Any]) -> None:
    s["required"].append("departed_at")


def _add_required(s: dict[str, Any]) -> None:
    s["properties"]["batch"] = {"type": "string"}
    s["required"].append("batch")


def _not_nullable(s: dict[str, Any]) -> None:
    s["properties"]["departed_at"] = {"type": "string", "format": "date-time"}


def _string_to_integer(s: dict[str, Any]) -> None:
    s["properties"]["record_id"]["type"] = "integer"


def _enum_value_removed(s: dict[str, Any]) -> None:
    s["$defs"]["Exposure"]["enum"].remove("secondary_close_contact")


def _shorter(s: dict[str, Any]) -> None:
    s["properties"]["record_id"]["maxLength"] = 10


def _pattern_added(s: dict[str, Any]) -> None:
    s["properties"]["source_record_id"]["pattern"] = "^[a-z]+$"


def _feed_variant_removed(s: dict[str, Any]) -> None:
    s["properties"]["details"]["oneOf"].pop()


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (_remove_field, "field removed: exposure"),
        (_remove_nested_field, "field removed: person.mobile"),
        (_require_optional, "field made required: departed_at"),
        (_add_required, "field made required: batch"),
        (_not_nullable, "departed_at: type narrowed"),
        (_string_to_integer, "record_id: type narrowed from ['string'] to ['integer']"),
        (_enum_value_removed, 'exposure: enum value removed: "secondary_close_contact"'),
        (_shorter, "record_id: maxLength lowered from 512 to 10"),
        (_pattern_added, "source_record_id: pattern added or changed"),
        (_feed_variant_removed, "details: type narrowed"),
    ],
    ids=lambda v: getattr(v, "__name__", "")[1:] or None,
)
def test_each_kind_of_break_is_caught(dirs: tuple[Path, Path], edit: Edit, expected: str) -> None:
    problems = _edit(dirs[0], RECORD, edit)
    assert any(p.startswith(expected) for p in problems), problems


def _add_optional(s: dict[str, Any]) -> None:
    s["properties"]["batch"] = {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None}


def _add_enum_value(s: dict[str, Any]) -> None:
    s["$defs"]["Exposure"]["enum"].append("tertiary_contact")


def _make_optional(s: dict[str, Any]) -> None:
    s["required"].remove("exposure")


def _loosen(s: dict[str, Any]) -> None:
    s["properties"]["record_id"]["maxLength"] = 4096
    s["properties"]["record_id"]["description"] = "reworded"


@pytest.mark.parametrize("edit", [_add_optional, _add_enum_value, _make_optional, _loosen],
                         ids=lambda f: f.__name__[1:])
def test_compatible_edits_pass(dirs: tuple[Path, Path], edit: Edit) -> None:
    assert _edit(dirs[0], RECORD, edit) == []


def test_narrowed_count_in_a_nested_list_is_caught(dirs: tuple[Path, Path]) -> None:
    def edit(s: dict[str, Any]) -> None:
        s["$defs"]["StatusCounts"]["properties"]["pending"]["minimum"] = 1

    assert "feeds[].today.pending: minimum raised from 0 to 1" in _edit(dirs[0], REPORT, edit)


def test_removed_event_type_is_caught(dirs: tuple[Path, Path]) -> None:
    (dirs[0] / REPORT).unlink()
    assert check_dirs(*dirs)[REPORT] == [
        "released event type removed (keep it until consumers move)"]


def test_cli_fails_on_break_and_releases_on_pass(
    dirs: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    current, released = dirs
    args = ["--schemas", str(current), "--released", str(released)]
    _edit(current, RECORD, _add_optional)
    assert main([*args, "--release"]) == 0
    assert "batch" in (released / RECORD).read_text(encoding="utf-8")
    _edit(current, RECORD, _remove_field)
    assert main(args) == 1
    assert "BREAKING  " + RECORD in capsys.readouterr().out


def test_breaking_changes_on_plain_schemas() -> None:
    old = {"type": "object", "properties": {"a": {"type": ["string", "null"]}}}
    assert breaking_changes(old, old) == []
    assert breaking_changes(old, {"type": "object", "properties": {"a": {"type": "string"}}})
    assert breaking_changes({"type": "integer"}, {"type": "number"}) == []
    assert breaking_changes({"type": "number"}, {"type": "integer"})
