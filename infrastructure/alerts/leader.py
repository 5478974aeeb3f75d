"""One alert evaluator per database: whoever holds the lock evaluates, and when its
process dies the lock is freed with it, so another takes over.

PostgreSQL: a session advisory lock on a connection of its own. SQLite (one file,
processes on one machine): an exclusive lock on a file beside the database.
"""

from __future__ import annotations

import fcntl
import os
import threading
from typing import Any

import structlog

log = structlog.get_logger("jaga.alerts")
LOCK_ID = 0x4A414C54  # "JALT"


class Leadership:
    """`hold()` is True while this process leads; it takes the lead when free."""

    def __init__(self, database_url: str, lock_id: int = LOCK_ID) -> None:
        self.database_url = database_url
        self.lock_id = lock_id
        self._conn: Any = None
        self._fd: int | None = None
        self._lock = threading.Lock()  # the evaluator and the sender ask at once

    @property
    def leading(self) -> bool:
        return self._conn is not None or self._fd is not None

    def hold(self) -> bool:
        """Whether we lead now (taking the lead if nobody holds it)."""
        with self._lock:
            if self.database_url.startswith("sqlite"):
                return self._hold_file()
            return self._hold_postgres()

    def _hold_file(self) -> bool:
        if self._fd is not None:
            return True
        path = self.database_url.removeprefix("sqlite:///") + ".alerts.lock"
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._fd = fd
        log.info("alert evaluator leads", pid=os.getpid())
        return True

    def _hold_postgres(self) -> bool:
        import psycopg

        if self._conn is not None:
            try:  # the lock lives as long as this session
                self._conn.execute("SELECT 1")
                return True
            except psycopg.Error:
                log.warning("alert evaluator lost its lock connection")
                self._release()
        try:
            conn = psycopg.connect(
                self.database_url, autocommit=True, connect_timeout=5
            )
        except psycopg.Error:
            return False
        row = conn.execute("SELECT pg_try_advisory_lock(%s)", [self.lock_id]).fetchone()
        if not row or not row[0]:
            conn.close()
            return False
        self._conn = conn
        log.info("alert evaluator leads", pid=os.getpid())
        return True

    def release(self) -> None:
        with self._lock:
            self._release()

    def _release(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:  # a broken connection frees the lock anyway
                pass
            self._conn = None
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
