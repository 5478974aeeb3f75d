"""Whether a log exists where a store URL points, asked without creating one."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from infrastructure.store import library_env, postgres_params


def log_exists(database_url: str) -> bool:
    """True when the store is there and holds Jaga's log tables (maybe empty).

    Opening the application creates both, so commands that only read a log ask
    this first: a mistyped URL or a command run in the wrong folder must not
    answer about a fresh, empty log."""
    env = library_env(database_url, create_folder=False)
    if "SQLITE_DBNAME" in env:
        path = env["SQLITE_DBNAME"]
        if path == ":memory:" or path.startswith("file:"):
            return False
        if not Path(path).is_file():
            return False
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            found = db.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='jaga_log'"
            ).fetchone()
        return found is not None
    import psycopg

    try:
        with psycopg.connect(**postgres_params(database_url)) as conn:
            row = conn.execute("SELECT to_regclass('jaga_log') IS NOT NULL").fetchone()
    except psycopg.OperationalError as error:
        if "does not exist" in str(error):
            return False
        raise
    return bool(row and row[0])
