"""API keys: stored as SHA-256 hashes beside the log, shown once, revocable.

A secret reads `jaga_<key id>_<random>`: the key id finds the row, and the hash of
the whole secret is compared in constant time, so a lookup reveals nothing by timing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from application.access import Scope, check_role, parse_scope, scope_text
from domain.errors import NotFound
from domain.values import text
from infrastructure.store.log import single_read

PREFIX = "jaga_"


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
        with self.datastore.transaction(commit=True) as c:
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

    def authenticate(self, secret: str) -> ApiKey | None:
        """The live key with this secret, or None."""
        if not secret.startswith(PREFIX):
            return None
        key_id, sep, _ = secret[len(PREFIX) :].partition("_")
        if not sep:
            return None
        row = self._row(key_id)
        if row is None or row["revoked_at"] is not None:
            return None
        if not hmac.compare_digest(row["secret_hash"], _hash(secret)):
            return None
        return self._key(row)

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
