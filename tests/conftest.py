"""Fixtures for every tier: stores on SQLite and on a fresh PostgreSQL database."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

# Servers under test judge alerts only where a test asks (they write events).
os.environ.setdefault("JAGA_ALERTS", "off")

PG_ADMIN_URL = os.environ.get(
    "JAGA_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def _pg_admin():  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)


def postgres_available() -> bool:
    try:
        with _pg_admin():
            return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def pg_ready() -> bool:
    ok = postgres_available()
    if not ok and os.environ.get("CI") == "true":
        pytest.fail("PostgreSQL is not reachable at 127.0.0.1:5432 and CI=true")
    return ok


def new_pg_database(prefix: str = "jaga_test") -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with _pg_admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name


def drop_pg_database(name: str) -> None:
    with _pg_admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_url(name: str) -> str:
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{name}"


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty store of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'jaga.sqlite3'}"
        return
    if not request.getfixturevalue("pg_ready"):
        pytest.skip("PostgreSQL is not reachable")
    name = new_pg_database()
    try:
        yield pg_url(name)
    finally:
        drop_pg_database(name)


@pytest.fixture
def jaga(store_url: str) -> Iterator[object]:
    from application.app import Jaga
    from application.calendar import ElectionCalendar
    from infrastructure.store import library_env

    app = Jaga(env=library_env(store_url), calendar=ElectionCalendar.load())
    try:
        yield app
    finally:
        app.close()
