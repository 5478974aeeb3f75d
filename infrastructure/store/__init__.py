"""Store selection: one URL picks SQLite or PostgreSQL for the library's recorders."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit


class StoreURLError(ValueError):
    """JAGA_DATABASE_URL is not a URL Jaga understands."""


# The application keeps the aggregates it decides on (application/aggregates.py).
COMMON: dict[str, str] = {}
# libpq's own URL parameters a server passes on: the multi-host failover ones
# (target_session_attrs) and the usual connection ones.
LIBPQ_PARAMS = frozenset(
    {
        "target_session_attrs",
        "load_balance_hosts",
        "sslmode",
        "sslrootcert",
        "sslcert",
        "sslkey",
        "application_name",
        "keepalives",
        "keepalives_idle",
        "keepalives_interval",
        "keepalives_count",
        "tcp_user_timeout",
    }
)


def _hosts(netloc: str) -> tuple[str, str]:
    """`h1:5432,h2:5433` as libpq's comma lists of hosts and of ports."""
    hosts: list[str] = []
    ports: list[str] = []
    for part in netloc.split(","):
        host, port = part, ""
        if part.startswith("["):  # [IPv6]:port
            host, _, rest = part[1:].partition("]")
            port = rest.removeprefix(":")
        elif ":" in part:
            host, _, port = part.rpartition(":")
        if port and not port.isdigit():
            raise StoreURLError(f"postgresql URL: port {port!r} is not a number")
        hosts.append(unquote(host) or "127.0.0.1")
        ports.append(port or "5432")
    return ",".join(hosts), ",".join(ports)


def postgres_params(database_url: str) -> dict[str, Any]:
    """psycopg's connection keywords for a `postgresql://` URL, one host or many
    (`postgresql://h1:5432,h2:5433/db?target_session_attrs=read-write`)."""
    url = urlsplit(database_url)
    if url.scheme not in ("postgresql", "postgres"):
        raise StoreURLError("not a postgresql:// URL")
    dbname = unquote(url.path.lstrip("/"))
    if not dbname:
        raise StoreURLError("postgresql URL needs a database name")
    userinfo, _, netloc = url.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    host, port = _hosts(netloc)
    params: dict[str, Any] = {
        "dbname": dbname,
        "host": host,
        "port": port,
        "user": unquote(user or "postgres"),
        "password": unquote(password),
    }
    for name, value in parse_qsl(url.query):
        if name not in LIBPQ_PARAMS:
            raise StoreURLError(
                f"postgresql URL: unknown parameter {name!r}; "
                f"known: {', '.join(sorted(LIBPQ_PARAMS))}"
            )
        params[name] = value
    return params


def library_env(database_url: str, create_folder: bool = True) -> dict[str, str]:
    """The eventsourcing settings for a `sqlite:///PATH` or `postgresql://` URL."""
    url = urlsplit(database_url)
    if url.scheme == "sqlite":
        path = database_url.removeprefix("sqlite:///")
        if not path:
            raise StoreURLError("sqlite URL needs a path: sqlite:///var/jaga.sqlite3")
        if create_folder and path != ":memory:" and not path.startswith("file:"):
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
        params = postgres_params(database_url)
        extra = {k: v for k, v in params.items() if k in LIBPQ_PARAMS}
        return {
            **COMMON,
            "PERSISTENCE_MODULE": f"{__name__}.factory:JagaPostgresFactory",
            "POSTGRES_DBNAME": params["dbname"],
            "POSTGRES_HOST": params["host"],
            "POSTGRES_PORT": params["port"],
            "POSTGRES_USER": params["user"],
            "POSTGRES_PASSWORD": params["password"],
            "JAGA_LIBPQ_PARAMS": json.dumps(extra, sort_keys=True),
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
