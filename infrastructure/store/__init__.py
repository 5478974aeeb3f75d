"""Store selection: one URL picks SQLite or PostgreSQL for the library's recorders."""

from __future__ import annotations

from urllib.parse import unquote, urlparse


class StoreURLError(ValueError):
    """JAGA_DATABASE_URL is not a URL Jaga understands."""


# The application keeps the aggregates it decides on (application/aggregates.py).
COMMON: dict[str, str] = {}


def library_env(database_url: str) -> dict[str, str]:
    """The eventsourcing settings for a `sqlite:///PATH` or `postgresql://` URL."""
    url = urlparse(database_url)
    if url.scheme == "sqlite":
        path = database_url.removeprefix("sqlite:///")
        if not path:
            raise StoreURLError("sqlite URL needs a path: sqlite:///var/jaga.sqlite3")
        if path != ":memory:" and not path.startswith("file:"):
            from pathlib import Path

            Path(path).parent.mkdir(parents=True, exist_ok=True)
        return {
            **COMMON,
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": path,
            "SQLITE_LOCK_TIMEOUT": "10",
            "APPLICATION_RECORDER_TOPIC": f"{__name__}.sqlite:JagaSQLiteRecorder",
        }
    if url.scheme in ("postgresql", "postgres"):
        if not url.path.strip("/"):
            raise StoreURLError("postgresql URL needs a database name")
        return {
            **COMMON,
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": unquote(url.path.lstrip("/")),
            "POSTGRES_HOST": url.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(url.port or 5432),
            "POSTGRES_USER": unquote(url.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(url.password or ""),
            # Never wait forever behind a stuck writer.
            "POSTGRES_LOCK_TIMEOUT": "5",
            "POSTGRES_CONNECT_TIMEOUT": "5",
            "POSTGRES_POOL_SIZE": "10",
            "POSTGRES_MAX_OVERFLOW": "10",
            "POSTGRES_PRE_PING": "n",
            "APPLICATION_RECORDER_TOPIC": f"{__name__}.postgres:JagaPostgresRecorder",
        }
    raise StoreURLError(
        "JAGA_DATABASE_URL must start with sqlite:/// or postgresql://, "
        f"not {url.scheme!r}"
    )
