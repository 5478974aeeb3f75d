"""Dashboard sessions in the application's database: one opened through any server
process is valid on every other, and signing out ends it on all of them.

Only the hash of a session id is stored, beside the key id it signs in; each key
holds at most `per_key` sessions, its oldest ended first, so no key can end others'.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from typing import Any

from eventsourcing.postgres import PostgresDatastore

from infrastructure.store.log import single_read

SETUP_LOCK = 0x4A415345  # "JASE": creating the table once
IDLE_SECONDS = 12 * 3600
MAX_PER_KEY = 50
# A session's last use is written at most this often: a read is not a write.
TOUCH_SECONDS = 300
MAX_ID_LENGTH = 100


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


class SessionStore:
    """The `jaga_sessions` table."""

    def __init__(
        self,
        recorder: Any,
        idle_seconds: float = IDLE_SECONDS,
        per_key: int = MAX_PER_KEY,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.datastore = recorder.datastore
        self.ph: str = recorder.dialect.ph
        self.idle_us = int(idle_seconds * 1_000_000)
        self.per_key = per_key
        self.clock = clock
        with self.datastore.transaction(commit=True) as c:
            if isinstance(self.datastore, PostgresDatastore):
                # Server processes starting together: one creates, the others wait.
                c.execute("SELECT pg_advisory_xact_lock(%s)", [SETUP_LOCK])
            c.execute(
                "CREATE TABLE IF NOT EXISTS jaga_sessions ("
                " id_hash TEXT PRIMARY KEY, key_id TEXT NOT NULL,"
                " opened_us BIGINT NOT NULL, seen_us BIGINT NOT NULL)"
            )
            c.execute(
                "CREATE INDEX IF NOT EXISTS jaga_sessions_key"
                " ON jaga_sessions (key_id, opened_us)"
            )

    def _now(self) -> int:
        return int(self.clock() * 1_000_000)

    def open(self, key_id: str) -> str:
        """A new session id for the key; the key's oldest beyond the cap end."""
        session_id = secrets.token_urlsafe(32)
        now, ph = self._now(), self.ph
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                "INSERT INTO jaga_sessions (id_hash, key_id, opened_us, seen_us)"
                f" VALUES ({ph},{ph},{ph},{ph})",
                [_hash(session_id), key_id, now, now],
            )
            c.execute(
                f"DELETE FROM jaga_sessions WHERE key_id = {ph} AND (seen_us < {ph}"
                " OR id_hash NOT IN (SELECT id_hash FROM jaga_sessions"
                f" WHERE key_id = {ph} ORDER BY opened_us DESC, id_hash"
                f" LIMIT {int(self.per_key)}))",
                [key_id, now - self.idle_us, key_id],
            )
        return session_id

    def key_id(self, session_id: str | None) -> str | None:
        """The session's key id, or None when unknown, ended or idle too long."""
        if not session_id or len(session_id) > MAX_ID_LENGTH:
            return None
        digest, now, ph = _hash(session_id), self._now(), self.ph
        with single_read(self.datastore) as c:
            c.execute(
                f"SELECT key_id, seen_us FROM jaga_sessions WHERE id_hash = {ph}",
                [digest],
            )
            rows = c.fetchall()
        if not rows:
            return None
        key_id, seen = str(rows[0]["key_id"]), int(rows[0]["seen_us"])
        if now - seen > self.idle_us:
            self.close(session_id)
            return None
        if now - seen > TOUCH_SECONDS * 1_000_000:
            with self.datastore.transaction(commit=True) as c:
                c.execute(
                    f"UPDATE jaga_sessions SET seen_us = {ph} WHERE id_hash = {ph}",
                    [now, digest],
                )
        return key_id

    def close(self, session_id: str | None) -> None:
        if session_id and len(session_id) <= MAX_ID_LENGTH:
            with self.datastore.transaction(commit=True) as c:
                c.execute(
                    f"DELETE FROM jaga_sessions WHERE id_hash = {self.ph}",
                    [_hash(session_id)],
                )
