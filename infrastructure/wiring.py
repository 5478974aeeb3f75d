"""Builds the application on the configured store."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from application.app import Jaga
from application.calendar import ElectionCalendar
from application.read import ReadModel
from infrastructure.attachments.index import UploadIndex
from infrastructure.settings import Settings
from infrastructure.store import library_env

if TYPE_CHECKING:
    from infrastructure.leader import FileLeadership, PostgresLeadership
    from infrastructure.views.process import ViewsProcess
    from infrastructure.views.runner import ProjectionService


def open_app(settings: Settings | None = None) -> Jaga:
    settings = settings or Settings.load()
    calendar = ElectionCalendar.load(settings.calendar_file)
    app = Jaga(env=library_env(settings.database_url), calendar=calendar)
    app.uploads = UploadIndex(app.recorder)
    app.anomaly_limits = settings.anomaly_limits
    return app


def open_read_model(app: Jaga) -> ReadModel:
    """The projections' read model on the application's store."""
    from infrastructure.views.wiring import read_model

    return read_model(app)


def open_projections(app: Jaga) -> ProjectionService:
    """The projection runner of the application's store (`.start()` to follow)."""
    from infrastructure.views.wiring import projections

    return projections(app)


def serve_projections(
    app: Jaga, settings: Settings
) -> ProjectionService | ViewsProcess:
    """The runner a server starts: on PostgreSQL in a process of its own, on SQLite
    (one file, no NOTIFY) in the server's process."""
    from eventsourcing.postgres import PostgresDatastore

    from infrastructure.views.process import ViewsProcess
    from infrastructure.views.wiring import view_store

    store = view_store(app)
    if isinstance(store.datastore, PostgresDatastore):
        return ViewsProcess(settings, store)
    return open_projections(app)


def open_leadership(
    app: Jaga, start: list[Callable[[], None]], stop: list[Callable[[], None]]
) -> PostgresLeadership | FileLeadership:
    """The election of the one process that runs `start` (and on losing, `stop`):
    an advisory lock on PostgreSQL, a file lock beside a SQLite file."""
    from eventsourcing.postgres import PostgresDatastore

    from infrastructure.leader import Duties, FileLeadership, PostgresLeadership

    recorder: Any = app.recorder
    datastore: Any = recorder.datastore
    duties = Duties(start, stop)
    if isinstance(datastore, PostgresDatastore):
        return PostgresLeadership(datastore, duties)
    return FileLeadership(_sqlite_file(datastore), duties)


def running_server(settings: Settings) -> dict[str, Any] | None:
    """The server (host, pid) leading the log the settings name, if one runs."""
    from eventsourcing.postgres import PostgresDatastore

    from infrastructure.leader import file_leader, postgres_leader

    app = open_app(settings)
    try:
        recorder: Any = app.recorder
        datastore: Any = recorder.datastore
        if isinstance(datastore, PostgresDatastore):
            return postgres_leader(datastore)
        path = _sqlite_file(datastore)
        return None if path is None else file_leader(path)
    finally:
        app.close()


def _sqlite_file(datastore: Any) -> Path | None:
    name = str(datastore.pool.db_name)
    if datastore.pool.is_sqlite_memory_mode or name.startswith("file:"):
        return None
    return Path(name)
