"""Schema compatibility inside a major version: ``python -m contracts.compat``.

Each committed schema must accept everything its last released version (under
``contracts/schemas/released/``) accepted: no field removed, made required, narrowed in
type, range or pattern, and no enum value removed. New optional fields are fine. A breaking
change needs a new major version (a new type ``...v2`` and topic ``...v2``) instead.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import Any

from contracts.schema_docs import RELEASED_DIR, SCHEMA_DIR

Schema = dict[str, Any] | bool
_ANNOTATIONS = {"title", "description", "default", "examples", "$comment", "deprecated",
                "readOnly", "writeOnly", "discriminator", "$schema", "$id", "$defs"}
_LOWER = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
_UPPER = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")
_OPAQUE = ("allOf", "not", "if", "then", "else", "dependentRequired", "dependentSchemas",
           "multipleOf", "uniqueItems", "contains", "prefixItems", "patternProperties")
_HANDLED = {"type", "enum", "const", "properties", "required", "additionalProperties", "items",
            "propertyNames", "anyOf", "oneOf", "pattern", "format", "$ref", *_LOWER, *_UPPER,
            *_OPAQUE}


class _Comparer:
    def __init__(self, old_root: dict[str, Any], new_root: dict[str, Any]) -> None:
        self.old_root, self.new_root = old_root, new_root
        self.seen: set[tuple[str, str, str]] = set()

    def _resolve(self, node: Schema, root: dict[str, Any]) -> Schema:
        while isinstance(node, dict) and "$ref" in node and node["$ref"].startswith("#"):
            target: Any = root
            for part in node["$ref"][1:].split("/")[1:]:
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        return node

    def compare(self, old: Schema, new: Schema, path: str) -> list[str]:
        key = (path, json.dumps(old, sort_keys=True), json.dumps(new, sort_keys=True))
        if key in self.seen:  # recursive schemas
            return []
        self.seen.add(key)
        old, new = self._resolve(old, self.old_root), self._resolve(new, self.new_root)
        if old is False or new is True or new == {}:
            return []
        if new is False or old is True:
            return [f"{path}: now refuses values it accepted"]
        assert isinstance(old, dict) and isinstance(new, dict)
        for union in ("anyOf", "oneOf"):
            if union in old or union in new:
                return self._unions(old, new, union, path)
        return [*self._scalar(old, new, path), *self._object(old, new, path),
                *self._children(old, new, path)]

    def _unions(self, old: dict[str, Any], new: dict[str, Any], kw: str, path: str) -> list[str]:
        def split(node: dict[str, Any]) -> list[Schema]:
            rest = {k: v for k, v in node.items() if k not in ("anyOf", "oneOf")}
            return [{**rest, **v} if isinstance(v, dict) else v
                    for v in node.get("anyOf", node.get("oneOf", [rest]))]

        problems = []
        for variant in split(old):
            attempts = [self.compare(variant, candidate, path) for candidate in split(new)]
            if all(attempts):
                problems.append(f"{path}: type narrowed, an accepted alternative is gone "
                                f"({min(attempts, key=len)[0]})")
        return problems

    def _scalar(self, old: dict[str, Any], new: dict[str, Any], path: str) -> list[str]:
        out = []
        old_t, new_t = _types(old), _types(new)
        if new_t is not None and (old_t is None or not old_t <= new_t):
            out.append(f"{path}: type narrowed from {sorted(old_t or ['any'])} to {sorted(new_t)}")
        old_e = _enum(old)
        new_e = _enum(new)
        if new_e is not None:
            removed = sorted(map(str, (old_e or set()) - new_e)) if old_e is not None else ["*"]
            if removed:
                out.append(f"{path}: enum value removed: {', '.join(removed)}")
        for kw in _LOWER:
            if kw in new and (kw not in old or new[kw] > old[kw]):
                out.append(f"{path}: {kw} raised from {old.get(kw)} to {new[kw]}")
        for kw in _UPPER:
            if kw in new and (kw not in old or new[kw] < old[kw]):
                out.append(f"{path}: {kw} lowered from {old.get(kw)} to {new[kw]}")
        for kw in ("pattern", "format", *_OPAQUE):
            if kw in new and new[kw] != old.get(kw):
                out.append(f"{path}: {kw} added or changed (may refuse old values)")
        for kw in set(new) - _HANDLED - _ANNOTATIONS:
            if not kw.startswith("x-") and new[kw] != old.get(kw):
                out.append(f"{path}: keyword {kw} added or changed")
        return out

    def _object(self, old: dict[str, Any], new: dict[str, Any], path: str) -> list[str]:
        out = []
        old_props, new_props = old.get("properties", {}), new.get("properties", {})
        for name in old_props:
            if name not in new_props:
                out.append(f"field removed: {_join(path, name)}")
        for name in sorted(set(new.get("required", [])) - set(old.get("required", []))):
            out.append(f"field made required: {_join(path, name)}")
        closed_now = new.get("additionalProperties") is False
        if closed_now and old.get("additionalProperties") is not False:
            out.append(f"{path}: additional properties no longer allowed")
        return out

    def _children(self, old: dict[str, Any], new: dict[str, Any], path: str) -> list[str]:
        out = []
        for name, schema in old.get("properties", {}).items():
            if name in new.get("properties", {}):
                out += self.compare(schema, new["properties"][name], _join(path, name))
        for kw, suffix in (("items", "[]"), ("propertyNames", "{key}"),
                           ("additionalProperties", "{*}")):
            if isinstance(new.get(kw), dict) and kw in old:
                out += self.compare(old[kw], new[kw], path + suffix)
        return out


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _types(node: dict[str, Any]) -> set[str] | None:
    if "type" not in node:
        return None
    types = {node["type"]} if isinstance(node["type"], str) else set(node["type"])
    return types | {"integer"} if "number" in types else types


def _enum(node: dict[str, Any]) -> set[Any] | None:
    if "const" in node:
        return {json.dumps(node["const"])}
    if "enum" in node:
        return {json.dumps(v) for v in node["enum"]}
    return None


def breaking_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Every way ``new`` refuses data ``old`` accepted; empty means compatible."""
    return _Comparer(old, new).compare(old, new, "")


def check_dirs(current: Path = SCHEMA_DIR, released: Path = RELEASED_DIR) -> dict[str, list[str]]:
    """File name -> breaking changes, for every released schema (missing file = removed type)."""
    report: dict[str, list[str]] = {}
    for old_path in sorted(released.glob("*.json")):
        new_path = current / old_path.name
        if not new_path.exists():
            report[old_path.name] = ["released event type removed (keep it until consumers move)"]
            continue
        old = json.loads(old_path.read_text(encoding="utf-8"))
        new = json.loads(new_path.read_text(encoding="utf-8"))
        report[old_path.name] = breaking_changes(old, new)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m contracts.compat", description=__doc__)
    parser.add_argument("--schemas", type=Path, default=SCHEMA_DIR)
    parser.add_argument("--released", type=Path, default=RELEASED_DIR)
    parser.add_argument("--release", action="store_true",
                        help="after a passing check, copy the current schemas to --released")
    args = parser.parse_args(argv)
    report = check_dirs(args.schemas, args.released)
    failed = False
    for name, problems in report.items():
        print(f"{'BREAKING' if problems else 'ok'}  {name}")
        for problem in problems:
            print(f"    {problem}")
        failed = failed or bool(problems)
    for path in sorted(args.schemas.glob("*.json")):
        if path.name not in report:
            print(f"new  {path.name}")
    if failed:
        print("breaking change inside a major version: publish a new major version instead")
        return 1
    if args.release:
        args.released.mkdir(parents=True, exist_ok=True)
        for path in args.schemas.glob("*.json"):
            shutil.copyfile(path, args.released / path.name)
        print(f"released {len(list(args.schemas.glob('*.json')))} schemas to {args.released}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
