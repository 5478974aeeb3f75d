"""The domain depends on nothing but the standard library and eventsourcing."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ALLOWED = {"eventsourcing", "domain", "__future__"}


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_domain_imports_only_stdlib_and_eventsourcing() -> None:
    offenders = {}
    for path in sorted((ROOT / "domain").rglob("*.py")):
        bad = {
            r
            for r in imported_roots(path)
            if r not in ALLOWED and r not in sys.stdlib_module_names
        }
        if bad:
            offenders[str(path.relative_to(ROOT))] = sorted(bad)
    assert offenders == {}


def test_domain_event_modules_import_cleanly() -> None:
    import importlib

    for path in sorted((ROOT / "domain").glob("*.py")):
        importlib.import_module(f"domain.{path.stem}")


def test_application_does_not_import_interfaces_or_infrastructure() -> None:
    offenders = {}
    for path in sorted((ROOT / "application").rglob("*.py")):
        bad = imported_roots(path) & {
            "interfaces",
            "infrastructure",
            "fastapi",
            "psycopg",
        }
        if bad:
            offenders[str(path.relative_to(ROOT))] = sorted(bad)
    assert offenders == {}
