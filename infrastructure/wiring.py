"""Builds the application on the configured store."""

from __future__ import annotations

from application.app import Jaga
from application.calendar import ElectionCalendar
from infrastructure.settings import Settings
from infrastructure.store import library_env


def open_app(settings: Settings | None = None) -> Jaga:
    settings = settings or Settings.load()
    calendar = ElectionCalendar.load(settings.calendar_file)
    return Jaga(env=library_env(settings.database_url), calendar=calendar)
