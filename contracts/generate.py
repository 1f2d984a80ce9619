"""Regenerate the committed JSON Schemas and AsyncAPI document: ``python -m contracts.generate``.

``--check`` writes nothing and exits 1 when a committed file differs from the models.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from contracts.asyncapi import build_asyncapi
from contracts.schema_docs import SCHEMA_DIR, render_schemas

ASYNCAPI_PATH = Path(__file__).parent / "asyncapi.yaml"


def render_asyncapi() -> str:
    return yaml.safe_dump(build_asyncapi(), sort_keys=False, allow_unicode=True, width=100)


def generated_files() -> dict[Path, str]:
    """Every generated file and the text it must have."""
    files = {SCHEMA_DIR / name: text for name, text in render_schemas().items()}
    files[ASYNCAPI_PATH] = render_asyncapi()
    return files


def stale_files() -> list[Path]:
    """Schema files committed but no longer generated (a model was removed or renamed)."""
    wanted = set(generated_files())
    return sorted(p for p in SCHEMA_DIR.glob("*.json") if p not in wanted)


def differences() -> list[str]:
    """Human-readable list of what is out of date; empty when everything matches."""
    problems = []
    for path, text in generated_files().items():
        if not path.exists():
            problems.append(f"missing: {path}")
        elif path.read_text(encoding="utf-8") != text:
            problems.append(f"out of date: {path}")
    problems += [f"stale (no model generates it): {p}" for p in stale_files()]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m contracts.generate", description=__doc__)
    parser.add_argument("--check", action="store_true", help="only compare, exit 1 on drift")
    args = parser.parse_args(argv)
    if args.check:
        problems = differences()
        for line in problems:
            print(line, file=sys.stderr)
        return 1 if problems else 0
    SCHEMA_DIR.mkdir(parents=True, exist_ok=True)
    for path, text in generated_files().items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    for path in stale_files():
        print(f"warning: {path} is no longer generated; delete it if the type is retired")
    return 0


if __name__ == "__main__":
    sys.exit(main())
