"""Every import arrow runs one way: contracts <- paicha_runtime <- services <- paicha (CLI)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SERVICES = ("intake", "triage", "tasking", "reporting")


def _imports(package: Path) -> list[tuple[Path, str]]:
    found = []
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found += [(path, alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.append((path, node.module))
    return found


def _offending(package: str, forbidden: tuple[str, ...]) -> list[str]:
    return [f"{path.relative_to(ROOT)} imports {module}"
            for path, module in _imports(ROOT / package)
            if any(module == f or module.startswith(f + ".") for f in forbidden)]


def test_contracts_import_no_runtime_service_or_cli() -> None:
    assert _offending("contracts", ("paicha", "paicha_runtime", "services")) == []


def test_shared_runtime_imports_no_service_and_not_the_cli() -> None:
    assert _offending("paicha_runtime", ("paicha", "services")) == []


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_imports_no_other_service_and_not_the_cli(service: str) -> None:
    others = tuple(f"services.{s}" for s in SERVICES if s != service)
    assert _offending(f"services/{service}", ("paicha", *others)) == []
