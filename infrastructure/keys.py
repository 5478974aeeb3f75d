"""API keys: stored as SHA-256 hashes beside the log, shown once, revocable.

A secret reads `jaga_<key id>_<random>`: the key id finds the row, and the hash of
the whole secret is compared in constant time, so a lookup reveals nothing by timing.

A server on PostgreSQL remembers the keys it has let in while it listens for
revocations, which every process announces with NOTIFY: a request then needs no
lookup, and a revocation still reaches every server within milliseconds.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import structlog
from eventsourcing.postgres import PostgresDatastore

from application.access import Scope, check_role, parse_scope, scope_text
from domain.errors import NotFound
from domain.values import text
from infrastructure.store.log import single_read

PREFIX = "jaga_"
CHANNEL = "jaga_keys"
REMEMBERED = 10_000
SETUP_LOCK = 0x4A414B59  # "JAKY": creating the table once

log = structlog.get_logger("jaga.keys")


@dataclass(frozen=True)
class ApiKey:
    key_id: str
    name: str
    role: str
    scope: Scope  # None: everywhere
    created_at: str
    revoked_at: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "key_id": self.key_id,
            "name": self.name,
            "role": self.role,
            "scope": scope_text(self.scope),
            "created_at": self.created_at,
            "revoked_at": self.revoked_at,
        }


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class KeyStore:
    """The `jaga_keys` table in the application's own database."""

    def __init__(self, recorder: Any) -> None:
        self.datastore = recorder.datastore
        self.ph: str = recorder.dialect.ph
        self.postgres = isinstance(self.datastore, PostgresDatastore)
        # Keys let in, by the hash of their secret; kept only while listening.
        self._known: dict[str, ApiKey] = {}
        self._listening = False
        self._generation = 0  # moves on with every revocation heard
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        with self.datastore.transaction(commit=True) as c:
            if self.postgres:  # server processes starting together: one creates
                c.execute("SELECT pg_advisory_xact_lock(%s)", [SETUP_LOCK])
            c.execute(
                "CREATE TABLE IF NOT EXISTS jaga_keys ("
                " key_id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL,"
                " scope TEXT, secret_hash TEXT NOT NULL, created_at TEXT NOT NULL,"
                " revoked_at TEXT)"
            )

    def create(
        self, role: str, name: str, scope: list[str] | None = None
    ) -> tuple[ApiKey, str]:
        """A new key and its secret, which is not kept and cannot be shown again."""
        regions = parse_scope(scope) if scope else None
        key = ApiKey(
            key_id=secrets.token_hex(6),
            name=text(name, "name", limit=200),
            role=check_role(role),
            scope=regions,
            created_at=datetime.now(UTC).isoformat(),
        )
        secret = f"{PREFIX}{key.key_id}_{secrets.token_urlsafe(32)}"
        ph = self.ph
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                "INSERT INTO jaga_keys (key_id, name, role, scope, secret_hash,"
                f" created_at) VALUES ({ph},{ph},{ph},{ph},{ph},{ph})",
                [
                    key.key_id,
                    key.name,
                    key.role,
                    None if regions is None else json.dumps(scope_text(regions)),
                    _hash(secret),
                    key.created_at,
                ],
            )
        return key, secret

    def remembered(self, secret: str) -> ApiKey | None:
        """The key with this secret if it was let in and not revoked since; no I/O."""
        return self._known.get(_hash(secret)) if self._listening else None

    def authenticate(self, secret: str) -> ApiKey | None:
        """The live key with this secret, or None."""
        if not secret.startswith(PREFIX):
            return None
        key_id, sep, _ = secret[len(PREFIX) :].partition("_")
        if not sep:
            return None
        generation = self._generation
        row = self._row(key_id)
        if row is None or row["revoked_at"] is not None:
            return None
        digest = _hash(secret)
        if not hmac.compare_digest(row["secret_hash"], digest):
            return None
        key = self._key(row)
        # Not if a revocation was heard while the row was read: it may be this one.
        if self._listening and generation == self._generation:
            if len(self._known) >= REMEMBERED:
                self._known.clear()
            self._known[digest] = key
        return key

    def follow_revocations(self) -> None:
        """Starts listening for revocations (PostgreSQL), and remembering keys."""
        if self.postgres and self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(
                target=self._listen, name="jaga-keys-listen", daemon=True
            )
            self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _forget(self) -> None:
        self._generation += 1
        self._known.clear()

    def _listen(self) -> None:
        while not self._stop.is_set():
            try:
                with self.datastore.get_connection() as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self._forget()  # a lookup begun before this may be stale
                    self._listening = True
                    try:
                        while not self._stop.is_set():
                            for _ in conn.notifies(timeout=0.5, stop_after=1):
                                self._forget()
                    finally:
                        # Unheard revocations may follow: nothing is trusted until
                        # listening again.
                        self._listening = False
                        self._forget()
                    conn.execute(f"UNLISTEN {CHANNEL}")
            except Exception as error:  # every request looks its key up meanwhile
                log.warning("key revocation listener failed", error=str(error))
                self._stop.wait(1.0)

    def list(self) -> list[ApiKey]:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT * FROM jaga_keys ORDER BY created_at, key_id")
            return [self._key(r) for r in c.fetchall()]

    def get(self, key_id: str) -> ApiKey:
        row = self._row(key_id)
        if row is None:
            raise NotFound(f"unknown key: {key_id}", field="key_id", id=key_id)
        return self._key(row)

    def revoke(self, key_id: str) -> ApiKey:
        """Revokes a key; revoking a revoked key keeps its first revocation time."""
        key = self.get(key_id)
        if key.revoked_at is not None:
            return key
        now = datetime.now(UTC).isoformat()
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                f"UPDATE jaga_keys SET revoked_at = {self.ph} WHERE key_id = {self.ph}",
                [now, key_id],
            )
            if self.postgres:
                c.execute(f"NOTIFY {CHANNEL}")  # delivered when this commits
        self._forget()
        return self.get(key_id)

    def _row(self, key_id: str) -> Any | None:
        if not key_id or len(key_id) > 64:
            return None
        with single_read(self.datastore) as c:
            c.execute(f"SELECT * FROM jaga_keys WHERE key_id = {self.ph}", [key_id])
            rows = c.fetchall()
        return rows[0] if rows else None

    @staticmethod
    def _key(row: Any) -> ApiKey:
        scope = row["scope"]
        return ApiKey(
            key_id=row["key_id"],
            name=row["name"],
            role=row["role"],
            scope=None if scope is None else parse_scope(json.loads(scope)),
            created_at=row["created_at"],
            revoked_at=row["revoked_at"],
        )
