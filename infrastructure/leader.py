"""One leader per database among every server process and host: it runs the views
and the checkpoint timer. On PostgreSQL the leader is whoever holds a session
advisory lock on a connection of its own, kept for its whole life; on SQLite (one
server process) the holder of a file lock beside the database.

When the leader dies its connection closes, PostgreSQL releases the lock, and a
standby polling every half second takes it: a takeover within a second. A leader
whose connection breaks (the database restarted or failed over) stops its duties at
once and competes again. Both duties are safe to overlap for a moment (view
batches serialise on the views' lock; a checkpoint of a size is stored once), so
the half second a broken leader may take to notice costs nothing but work.
"""

from __future__ import annotations

import fcntl
import os
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import structlog

log = structlog.get_logger("jaga.leader")
# pg_try_advisory_lock(bigint): below 2**32, so pg_locks shows it as classid 0.
LOCK_KEY = 1245791043
POLL_SECONDS = 0.5
NAME_PREFIX = "jaga-leader"

FIND_LEADER = f"""
SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0
  AND l.objid = {LOCK_KEY} AND l.objsubid = 1
  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
"""


def this_process() -> dict[str, Any]:
    return {"host": socket.gethostname(), "pid": os.getpid()}


def _application_name(me: dict[str, Any]) -> str:
    # PostgreSQL keeps 63 bytes of it: the pid first, the host cut if it must be.
    return f"{NAME_PREFIX} pid={me['pid']} host={me['host']}"[:63]


def _parse(name: str) -> dict[str, Any] | None:
    fields = dict(part.split("=", 1) for part in name.split()[1:] if "=" in part)
    if not name.startswith(NAME_PREFIX) or not fields.get("pid", "").isdigit():
        return None
    return {"host": fields.get("host", ""), "pid": int(fields["pid"])}


class Duties:
    """What the leader runs: started on winning, stopped on losing (in order)."""

    def __init__(
        self, start: list[Callable[[], None]], stop: list[Callable[[], None]]
    ) -> None:
        self.start = start
        self.stop = stop

    def begin(self) -> None:
        for step in self.start:
            step()

    def end(self) -> None:
        for step in self.stop:
            try:
                step()
            except Exception:  # stop every duty even if one fails to stop
                log.exception("a leader's duty failed to stop")


class PostgresLeadership:
    """Competes for the advisory lock in a thread of its own."""

    def __init__(
        self, datastore: Any, duties: Duties, poll_seconds: float = POLL_SECONDS
    ) -> None:
        self.datastore = datastore
        self.conninfo = datastore.pool.conninfo
        # The store's own connection settings: every host of a multi-host URL and
        # target_session_attrs, so the lock is taken on the primary.
        self.kwargs = {
            k: v for k, v in datastore.pool.kwargs.items() if k != "row_factory"
        }
        self.duties = duties
        self.poll_seconds = poll_seconds
        self.me = this_process()
        self.leading = False
        self._conn: Any = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def role(self) -> str:
        return "leader" if self.leading else "standby"

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, name="jaga-leader", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=20)
            self._thread = None
        self._step_down()
        self._close()

    def leader(self) -> dict[str, Any] | None:
        """The current leader (host, pid), as the database sees it."""
        return postgres_leader(self.datastore)

    def _connect(self) -> Any:
        import psycopg

        conn = psycopg.connect(
            self.conninfo,
            **{
                **self.kwargs,
                "application_name": _application_name(self.me),
                "autocommit": True,
                "connect_timeout": 5,
            },
        )
        # A leader host that vanishes without closing its socket is noticed in
        # seconds, not after the kernel's two hours of TCP keepalive.
        conn.execute(
            "SET tcp_keepalives_idle = 1; SET tcp_keepalives_interval = 1; "
            "SET tcp_keepalives_count = 2"
        )
        return conn

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                if self._conn is None:
                    self._conn = self._connect()
                if self.leading:
                    self._conn.execute("SELECT 1")  # still connected: still ours
                else:
                    row = self._conn.execute(
                        "SELECT pg_try_advisory_lock(%s)", [LOCK_KEY]
                    ).fetchone()
                    if row[0]:
                        self.leading = True
                        log.info("leading the views and checkpoints", **self.me)
                        self.duties.begin()
            except Exception as error:  # lost the database: not leading any more
                log.warning("leadership connection lost", error=str(error))
                self._step_down()
                self._close()
            self._stop.wait(self.poll_seconds)

    def _step_down(self) -> None:
        if self.leading:
            self.leading = False
            log.info("no longer leading", **self.me)
            self.duties.end()

    def _close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # already broken
                pass


class FileLeadership:
    """SQLite's one server process: leads while it holds a lock beside the file."""

    def __init__(self, path: Path | None, duties: Duties) -> None:
        self.path = path
        self.duties = duties
        self.me = this_process()
        self.leading = False
        self._file: Any = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def role(self) -> str:
        return "leader" if self.leading else "standby"

    def start(self) -> None:
        if self.path is None:  # an in-memory store lives in this process only
            self.leading = True
            self.duties.begin()
            return
        self._file = lock_file(self.path).open("a+")
        if not self._try():
            # Another server serves this file and runs the views and the timer;
            # this one takes over when it stops.
            log.warning("another server leads this SQLite log", path=str(self.path))
            self._stop.clear()
            self._thread = threading.Thread(
                target=self._wait, name="jaga-leader", daemon=True
            )
            self._thread.start()

    def _try(self) -> bool:
        try:
            fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        self._file.seek(0)
        self._file.truncate()
        self._file.write(f"{self.me['host']} {self.me['pid']}\n")
        self._file.flush()
        self.leading = True
        self.duties.begin()
        return True

    def _wait(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            if self._try():
                return

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if self.leading:
            self.leading = False
            self.duties.end()
        if self._file is not None:
            self._file.close()  # releases the lock
            self._file = None

    def leader(self) -> dict[str, Any] | None:
        if self.path is None:
            return self.me if self.leading else None
        return file_leader(self.path)


def postgres_leader(datastore: Any) -> dict[str, Any] | None:
    """The server process holding the database's leader lock, if one does."""
    with datastore.get_connection() as conn:
        for row in conn.execute(FIND_LEADER).fetchall():
            found = _parse(row["application_name"] or "")
            if found is not None:
                return found
    return None


def lock_file(database: Path) -> Path:
    return database.with_name(database.name + ".leader")


def file_leader(database: Path) -> dict[str, Any] | None:
    """The server holding the SQLite log's lock, if one does."""
    path = lock_file(database)
    if not path.exists():
        return None
    with path.open("r") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            host, _, pid = f.read().strip().partition(" ")
            return {"host": host, "pid": int(pid)} if pid.isdigit() else None
        fcntl.flock(f, fcntl.LOCK_UN)
    return None
