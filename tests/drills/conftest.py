"""Drill fixtures: the real server on a fresh store of each kind, keys of every role,
and the counts table printed at the end of the run."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import drop_pg_database, new_pg_database, pg_url
from tests.drills.harness import REPORT, JagaServer, make_key, table

ROLES = ("ops", "field", "auditor", "bawaslu", "admin")

# The slow drills (repeated kill -9, a database restart) run under `make drills`.
FULL = os.environ.get("JAGA_DRILLS") == "full"
slow_drill = pytest.mark.skipif(not FULL, reason="slow drill: run by `make drills`")


@dataclass
class Served:
    """A running server, its store and a key of each role."""

    store: str
    url: str
    server: JagaServer
    keys: dict[str, str]
    key_ids: dict[str, str]

    @property
    def base_url(self) -> str:
        return self.server.base_url


@pytest.fixture(scope="session")
def pg_database(pg_ready: bool) -> Iterator[Any]:
    """A factory of fresh PostgreSQL databases on the shared server, all dropped at
    the end."""
    if not pg_ready:
        pytest.skip("PostgreSQL is not reachable")
    made: list[str] = []

    def make() -> str:
        name = new_pg_database("jaga_drill")
        made.append(name)
        return pg_url(name)

    yield make
    for name in made:
        drop_pg_database(name)


def serve(store: str, folder: Path, pg_database: Any) -> Served:
    url = f"sqlite:///{folder / 'jaga.sqlite3'}" if store == "sqlite" else pg_database()
    made = {role: make_key(url, role) for role in ROLES}
    server = JagaServer(url, folder).start()
    return Served(
        store,
        url,
        server,
        {r: s for r, (_, s) in made.items()},
        {r: k for r, (k, _) in made.items()},
    )


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """One server per store, shared by the fast drills that do not break it."""
    pg = request.getfixturevalue("pg_database") if request.param == "postgres" else None
    s = serve(request.param, tmp_path_factory.mktemp(f"drill-{request.param}"), pg)
    try:
        yield s
    finally:
        s.server.stop()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not REPORT:
        return
    terminalreporter.write_sep("=", "reliability drills")
    for line in table().splitlines():
        terminalreporter.write_line(line)
    bad = [
        c.drill for c in REPORT.values() if c.lost or c.duplicated or c.server_errors
    ]
    verdict = (
        f"FAILED: {', '.join(bad)}"
        if bad
        else "lost = 0, duplicated = 0, 5xx = 0 in every drill"
    )
    terminalreporter.write_line(verdict)
    out = Path("var/drills-last.txt")
    out.parent.mkdir(exist_ok=True)
    out.write_text(table() + "\n" + verdict + "\n", encoding="utf-8")
