"""Device enrolments: a one-time code that turns into a field key for one unit.

Ops creates an enrolment for a unit; the code (and the longer token its QR code
carries) is shown once and stored hashed. The first device to redeem it, before it
expires, gets a field key scoped to the unit's region; the row keeps the key's id, so
revoking the enrolment revokes the key, and the device is signed out at its next
contact. Rows live in the application's database, so every server process sees them.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from domain.errors import DomainError, NotFound
from infrastructure.keys import ApiKey, KeyStore
from infrastructure.store.log import single_read

# Crockford-like: no 0/O, 1/I/L, so a code read aloud or typed from paper survives.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
LIFETIME = timedelta(hours=24)
# Failed redemptions an address may make in a window: a code of 8 of 31 signs is
# not guessed at this pace within its day.
MAX_FAILURES = 10
FAILURE_WINDOW = timedelta(minutes=15)


class EnrolmentInvalid(DomainError):
    """The code is unknown, used, cancelled or expired."""


class TooManyFailures(Exception):
    """An address failed too many codes lately; it may try again after a while."""

    def __init__(self, retry_after: timedelta) -> None:
        super().__init__("too many unknown enrolment codes from this address")
        self.retry_after_seconds = max(1, int(retry_after.total_seconds()))


@dataclass(frozen=True)
class Enrolment:
    enrolment_id: str
    unit_id: str
    label: str
    scope: list[str]
    created_by: str
    created_at: str
    expires_at: str
    redeemed_at: str | None
    key_id: str | None
    cancelled_at: str | None

    @property
    def device_key(self) -> str | None:
        """The key the device got; None before, or after a redemption cut short."""
        if self.key_id and not self.key_id.startswith("claim:"):
            return self.key_id
        return None

    def status(self, now: datetime, revoked: bool = False) -> str:
        if self.cancelled_at or revoked:
            return "revoked"
        if self.redeemed_at:
            return "enrolled"
        if datetime.fromisoformat(self.expires_at) <= now:
            return "expired"
        return "waiting"

    def as_dict(self) -> dict[str, Any]:
        return {
            "enrolment_id": self.enrolment_id,
            "unit_id": self.unit_id,
            "label": self.label,
            "scope": self.scope,
            "created_by": self.created_by,
            "created_at": self.created_at,
            "expires_at": self.expires_at,
            "redeemed_at": self.redeemed_at,
            "key_id": self.key_id,
            "cancelled_at": self.cancelled_at,
        }


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def normal_code(code: str) -> str:
    """`abcd-efgh`, `ABCD EFGH` -> `ABCDEFGH`."""
    return "".join(c for c in code.upper() if c.isalnum())


SETUP_LOCK = 0x4A41454E  # "JAEN": creating the tables once


class Enrolments:
    """The `jaga_enrolments` table beside the keys."""

    def __init__(self, recorder: Any, keys: KeyStore) -> None:
        self.datastore = recorder.datastore
        self.ph: str = recorder.dialect.ph
        self.keys = keys
        with self.datastore.transaction(commit=True) as c:
            if self.ph == "%s":  # PostgreSQL: server processes start together
                c.execute("SELECT pg_advisory_xact_lock(%s)", [SETUP_LOCK])
            c.execute(
                "CREATE TABLE IF NOT EXISTS jaga_enrolments ("
                " enrolment_id TEXT PRIMARY KEY, unit_id TEXT NOT NULL,"
                " label TEXT NOT NULL, scope TEXT NOT NULL,"
                " code_hash TEXT NOT NULL UNIQUE, token_hash TEXT NOT NULL UNIQUE,"
                " created_by TEXT NOT NULL, created_at TEXT NOT NULL,"
                " expires_at TEXT NOT NULL, redeemed_at TEXT, key_id TEXT,"
                " cancelled_at TEXT)"
            )
            # In the database, so every server process counts the same failures.
            c.execute(
                "CREATE TABLE IF NOT EXISTS jaga_enrolment_failures ("
                " address TEXT NOT NULL, failed_at TEXT NOT NULL)"
            )
            c.execute(
                "CREATE INDEX IF NOT EXISTS jaga_enrolment_failures_address"
                " ON jaga_enrolment_failures (address, failed_at)"
            )

    def create(
        self,
        unit_id: str,
        label: str,
        scope: list[str],
        created_by: str,
        now: datetime | None = None,
    ) -> tuple[Enrolment, str, str]:
        """A new enrolment, its short code and its QR token (neither kept)."""
        now = now or datetime.now(UTC)
        code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
        token = secrets.token_urlsafe(32)
        found = Enrolment(
            enrolment_id=secrets.token_hex(8),
            unit_id=unit_id,
            label=label,
            scope=scope,
            created_by=created_by,
            created_at=now.isoformat(),
            expires_at=(now + LIFETIME).isoformat(),
            redeemed_at=None,
            key_id=None,
            cancelled_at=None,
        )
        ph = self.ph
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                "INSERT INTO jaga_enrolments (enrolment_id, unit_id, label, scope,"
                " code_hash, token_hash, created_by, created_at, expires_at)"
                f" VALUES ({ph},{ph},{ph},{ph},{ph},{ph},{ph},{ph},{ph})",
                [
                    found.enrolment_id,
                    unit_id,
                    label,
                    "\n".join(scope),
                    _hash(code),
                    _hash(token),
                    created_by,
                    found.created_at,
                    found.expires_at,
                ],
            )
        return found, f"{code[:4]}-{code[4:]}", token

    def redeem(
        self,
        secret: str,
        device_name: str,
        now: datetime | None = None,
        address: str | None = None,
    ) -> tuple[Enrolment, ApiKey, str]:
        """The field key for a code or token, once: a second device is refused,
        and an address that failed too many codes lately is refused for a while."""
        now = now or datetime.now(UTC)
        if address is not None:
            self._check_failures(address, now)
        try:
            return self._redeem(secret, device_name, now)
        except EnrolmentInvalid:
            if address is not None:
                self._record_failure(address, now)
            raise

    def _check_failures(self, address: str, now: datetime) -> None:
        ph, since = self.ph, (now - FAILURE_WINDOW).isoformat()
        with single_read(self.datastore) as c:
            c.execute(
                "SELECT failed_at FROM jaga_enrolment_failures"
                f" WHERE address = {ph} AND failed_at > {ph}"
                " ORDER BY failed_at DESC",
                [address, since],
            )
            times = [row["failed_at"] for row in c.fetchall()]
        if len(times) >= MAX_FAILURES:
            oldest = datetime.fromisoformat(times[MAX_FAILURES - 1])
            raise TooManyFailures(oldest + FAILURE_WINDOW - now)

    def _record_failure(self, address: str, now: datetime) -> None:
        ph = self.ph
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                f"DELETE FROM jaga_enrolment_failures WHERE failed_at < {ph}",
                [(now - FAILURE_WINDOW).isoformat()],
            )
            c.execute(
                "INSERT INTO jaga_enrolment_failures (address, failed_at)"
                f" VALUES ({ph}, {ph})",
                [address, now.isoformat()],
            )

    def _redeem(
        self, secret: str, device_name: str, now: datetime
    ) -> tuple[Enrolment, ApiKey, str]:
        digests = {_hash(normal_code(secret)), _hash(secret.strip())}
        ph = self.ph
        found = None
        for digest in digests:
            with single_read(self.datastore) as c:
                c.execute(
                    "SELECT * FROM jaga_enrolments"
                    f" WHERE code_hash = {ph} OR token_hash = {ph}",
                    [digest, digest],
                )
                rows = c.fetchall()
            if rows:
                found = self._enrolment(rows[0])
                break
        if found is None or found.status(now) != "waiting":
            raise EnrolmentInvalid("this enrolment code is unknown, used or expired")
        # Claimed by writing a mark of our own where none is yet; whoever's mark
        # is read back won (rowcount is not reported on every store).
        mark = "claim:" + secrets.token_hex(16)
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                f"UPDATE jaga_enrolments SET redeemed_at = {ph}, key_id = {ph}"
                f" WHERE enrolment_id = {ph} AND redeemed_at IS NULL"
                " AND cancelled_at IS NULL",
                [now.isoformat(), mark, found.enrolment_id],
            )
        if self.get(found.enrolment_id).key_id != mark:  # another device was first
            raise EnrolmentInvalid("this enrolment code is unknown, used or expired")
        name = f"{device_name} · {found.label}"[:200]
        key, key_secret = self.keys.create("field", name, found.scope)
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                f"UPDATE jaga_enrolments SET key_id = {ph} WHERE enrolment_id = {ph}",
                [key.key_id, found.enrolment_id],
            )
        return self.get(found.enrolment_id), key, key_secret

    def revoke(self, enrolment_id: str, now: datetime | None = None) -> Enrolment:
        """Cancels an enrolment and revokes the key it gave, if any."""
        found = self.get(enrolment_id)
        now = now or datetime.now(UTC)
        if found.cancelled_at is None:
            with self.datastore.transaction(commit=True) as c:
                c.execute(
                    f"UPDATE jaga_enrolments SET cancelled_at = {self.ph}"
                    f" WHERE enrolment_id = {self.ph} AND cancelled_at IS NULL",
                    [now.isoformat(), enrolment_id],
                )
        if found.device_key:
            self.keys.revoke(found.device_key)
        return self.get(enrolment_id)

    def get(self, enrolment_id: str) -> Enrolment:
        with single_read(self.datastore) as c:
            c.execute(
                f"SELECT * FROM jaga_enrolments WHERE enrolment_id = {self.ph}",
                [enrolment_id],
            )
            rows = c.fetchall()
        if not rows:
            raise NotFound(
                f"unknown enrolment: {enrolment_id}",
                field="enrolment_id",
                id=enrolment_id,
            )
        return self._enrolment(rows[0])

    def list(self) -> list[Enrolment]:
        with single_read(self.datastore) as c:
            c.execute("SELECT * FROM jaga_enrolments ORDER BY created_at DESC")
            return [self._enrolment(r) for r in c.fetchall()]

    @staticmethod
    def _enrolment(row: Any) -> Enrolment:
        return Enrolment(
            enrolment_id=row["enrolment_id"],
            unit_id=row["unit_id"],
            label=row["label"],
            scope=[s for s in row["scope"].split("\n") if s],
            created_by=row["created_by"],
            created_at=row["created_at"],
            expires_at=row["expires_at"],
            redeemed_at=row["redeemed_at"],
            key_id=row["key_id"],
            cancelled_at=row["cancelled_at"],
        )
