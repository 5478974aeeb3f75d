"""Builds the application on the configured store."""

from __future__ import annotations

from typing import TYPE_CHECKING

from application.app import Jaga
from application.calendar import ElectionCalendar
from application.read import ReadModel
from infrastructure.attachments.index import UploadIndex
from infrastructure.settings import Settings
from infrastructure.store import library_env

if TYPE_CHECKING:
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
