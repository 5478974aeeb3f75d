"""On PostgreSQL a server's views follow the log from a process of their own."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest

from application.app import Jaga
from application.commands.duty import CheckIn, StartShift
from infrastructure.settings import Settings
from infrastructure.views.process import ViewsProcess, follow
from infrastructure.views.runner import ProjectionService
from infrastructure.views.wiring import view_store
from infrastructure.wiring import open_app, serve_projections
from tests.integration.scenario import FIELD, T0, ctx, jember


def eventually(check: Callable[[], bool], timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.fixture
def pg_settings(store_url: str) -> Settings:
    if not store_url.startswith("postgres"):
        pytest.skip("on SQLite the views run in the server's process")
    return Settings(database_url=store_url)


@pytest.fixture
def app(pg_settings: Settings) -> Iterator[Jaga]:
    jaga = open_app(pg_settings)
    yield jaga
    jaga.close()


def test_a_killed_views_process_is_started_again_and_catches_up(
    pg_settings: Settings, app: Jaga
) -> None:
    runner = serve_projections(app, pg_settings)
    assert isinstance(runner, ViewsProcess)
    runner.start()
    try:
        jember(app)
        assert eventually(lambda: runner.lag()["positions"] == 0)
        first = runner.pid
        assert first is not None and first != os.getpid()
        os.kill(first, signal.SIGKILL)
        assert eventually(lambda: runner.restarts == 1 and runner.pid != first)
        assert "exited with code -9" in runner.lag()["error"]
        # The log goes on growing while the new process starts.
        before = app.log.max_position()
        app.run(
            ctx(),
            StartShift(
                site_id="kpu-kab-jember",
                unit_id="polres-jember",
                commander_id="jbr-01",
                roster=["jbr-01", "jbr-02"],
                occurred_at=T0,
            ),
        )
        app.run(
            ctx(FIELD),
            CheckIn(
                site_id="kpu-kab-jember",
                personnel_id="jbr-02",
                method="qr",
                occurred_at=T0 + timedelta(minutes=5),
            ),
        )
        assert app.log.max_position() == before + 2
        assert eventually(lambda: runner.lag()["positions"] == 0)
        assert view_store(app).position() == app.log.max_position()
    finally:
        runner.stop()
    assert runner.pid is None


def test_a_views_process_whose_server_is_gone_stops(pg_settings: Settings) -> None:
    # Told that its server is a process that is not its parent, it stops by itself.
    child = multiprocessing.get_context("spawn").Process(
        target=follow, args=(pg_settings, os.getpid() + 999_999)
    )
    child.start()
    child.join(timeout=30)
    assert child.exitcode == 0


def test_on_sqlite_the_views_run_in_the_servers_process(store_url: str) -> None:
    if not store_url.startswith("sqlite"):
        pytest.skip("for SQLite")
    jaga = open_app(Settings(database_url=store_url))
    try:
        assert isinstance(
            serve_projections(jaga, Settings(database_url=store_url)), ProjectionService
        )
    finally:
        jaga.close()
