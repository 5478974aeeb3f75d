"""The witness: cosigns a log's checkpoint only when it extends the last one it
cosigned for that origin (c2sp.org/tlog-witness), and keeps the evidence of every
signed checkpoint it refused. Its state is one SQLite file of its own; it needs
nothing of the log's database."""

from __future__ import annotations

import base64
import binascii
import hashlib
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from infrastructure.audit.merkle import EMPTY_ROOT, verify_consistency
from infrastructure.audit.note import (
    CheckpointBody,
    NoteError,
    Signature,
    Verifier,
    cosign,
    decimal,
    parse_checkpoint_body,
    signed_by,
    split_note,
    witness_verifier,
)

MAX_PROOF_LINES = 63
MAX_REQUEST = 64 * 1024
SIZE_TYPE = "text/x.tlog.size"
TEXT_TYPE = "text/plain; charset=utf-8"

_SCHEMA = [
    "CREATE TABLE IF NOT EXISTS cosigned (origin TEXT NOT NULL,"
    " tree_size INTEGER NOT NULL, root_hash BLOB NOT NULL, note TEXT NOT NULL,"
    " cosignature TEXT NOT NULL, cosigned_at INTEGER NOT NULL,"
    " PRIMARY KEY (origin, tree_size))",
    "CREATE TABLE IF NOT EXISTS refused (origin TEXT NOT NULL,"
    " checkpoint_sha256 TEXT NOT NULL, kind TEXT NOT NULL, status INTEGER NOT NULL,"
    " reason TEXT NOT NULL, received_at TEXT NOT NULL, request TEXT NOT NULL,"
    " PRIMARY KEY (origin, checkpoint_sha256, kind))",
    *(
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table}"
        f" BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
        for table in ("cosigned", "refused")
        for op in ("UPDATE", "DELETE")
    ),
]


@dataclass(frozen=True)
class Answer:
    """An HTTP answer of the protocol: status, body text and its type."""

    status: int
    text: str
    content_type: str = TEXT_TYPE


@dataclass(frozen=True)
class Request:
    """An add-checkpoint request body, parsed."""

    old: int
    proof: list[bytes]
    note: str


def parse_request(data: bytes) -> Request:
    """Reads `old N`, the proof lines, a blank line and the checkpoint note."""
    if len(data) > MAX_REQUEST:
        raise NoteError(f"the request is larger than {MAX_REQUEST} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise NoteError("the request is not UTF-8") from None
    head, sep, note = text.partition("\n\n")
    if not sep:
        raise NoteError("the request needs a blank line before the checkpoint")
    lines = head.split("\n")
    if not lines[0].startswith("old "):
        raise NoteError("the request starts with `old <size>`")
    old = decimal(lines[0][4:], "the old size")
    if len(lines) - 1 > MAX_PROOF_LINES:
        raise NoteError(f"more than {MAX_PROOF_LINES} consistency proof lines")
    proof = []
    for line in lines[1:]:
        try:
            digest = base64.b64decode(line.encode("ascii"), validate=True)
        except (binascii.Error, UnicodeEncodeError):
            digest = b""
        if len(digest) != 32:
            raise NoteError("each proof line is the base64 of a 32-byte hash")
        proof.append(digest)
    return Request(old, proof, note)


class WitnessState:
    """The witness's own SQLite file: what it cosigned and what it refused, both
    append-only; the latest cosigned checkpoint of an origin is its largest."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            for statement in _SCHEMA:
                db.execute(statement)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.row_factory = sqlite3.Row
        return db

    @contextmanager
    def exclusive(self) -> Iterator[sqlite3.Connection]:
        """One transaction that holds the write lock from its first read, so the
        check against the last checkpoint and the record of the new one are atomic
        across threads and processes."""
        db = self._connect()
        try:
            db.execute("BEGIN IMMEDIATE")
            yield db
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        finally:
            db.close()

    def read(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        db = self._connect()
        try:
            return list(db.execute(sql, params).fetchall())
        finally:
            db.close()


def latest_row(db: sqlite3.Connection, origin: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = db.execute(
        "SELECT * FROM cosigned WHERE origin = ? ORDER BY tree_size DESC LIMIT 1",
        [origin],
    ).fetchone()
    return row


class Witness:
    """Checks and cosigns checkpoints of the logs it was told to trust."""

    def __init__(
        self,
        name: str,
        private_key: Ed25519PrivateKey,
        logs: Sequence[Verifier],
        state: WitnessState,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.name = name
        self.key = private_key
        self.verifier = witness_verifier(name, private_key)
        self.logs: dict[str, list[Verifier]] = {}
        for log in logs:
            self.logs.setdefault(log.name, []).append(log)
        self.state = state
        self.clock = clock

    def add_checkpoint(self, data: bytes) -> Answer:
        """The add-checkpoint call of c2sp.org/tlog-witness, status for status."""
        try:
            request = parse_request(data)
            body, signatures = split_note(request.note)
            cp = parse_checkpoint_body(body)
        except NoteError as exc:
            return Answer(400, f"{exc}\n")
        keys = self.logs.get(cp.origin)
        if keys is None:
            return Answer(404, f"unknown log origin {cp.origin}\n")
        trusted = [s for s in signatures for k in keys if signed_by(body, s, k)]
        if not trusted:
            return Answer(403, "no signature of a trusted log key verifies\n")
        if request.old > cp.tree_size:
            return Answer(400, "the old size is larger than the checkpoint's\n")
        with self.state.exclusive() as db:
            return self._check(db, request, body, cp, trusted, data)

    def _check(
        self,
        db: sqlite3.Connection,
        request: Request,
        body: str,
        cp: CheckpointBody,
        trusted: list[Signature],
        data: bytes,
    ) -> Answer:
        last = latest_row(db, cp.origin)
        size = int(last["tree_size"]) if last else 0
        root = bytes(last["root_hash"]) if last else EMPTY_ROOT

        def refuse(status: int, kind: str, reason: str) -> Answer:
            db.execute(
                "INSERT INTO refused VALUES (?,?,?,?,?,?,?) ON CONFLICT DO NOTHING",
                [
                    cp.origin,
                    hashlib.sha256(body.encode()).hexdigest(),
                    kind,
                    status,
                    reason,
                    datetime.now(UTC).isoformat(),
                    data.decode("utf-8"),
                ],
            )
            if status == 409:
                return Answer(409, f"{size}\n", SIZE_TYPE)
            return Answer(status, f"{reason}\n")

        if last is not None and cp.tree_size == size and cp.root_hash != root:
            return refuse(
                409, "fork", f"a different root hash at size {size} was cosigned"
            )
        if request.old != size:
            if cp.tree_size < size:
                return refuse(409, "older", f"older than the cosigned size {size}")
            return Answer(409, f"{size}\n", SIZE_TYPE)
        if not verify_consistency(
            size, cp.tree_size, root, cp.root_hash, request.proof
        ):
            return refuse(
                422,
                "inconsistent",
                f"the consistency proof from size {size} does not verify",
            )
        now = int(self.clock())
        cosignature = cosign(self.key, self.name, body, now)
        note = body + "\n" + "".join(s.line for s in trusted)
        db.execute(
            "INSERT INTO cosigned VALUES (?,?,?,?,?,?) ON CONFLICT DO NOTHING",
            [
                cp.origin,
                cp.tree_size,
                cp.root_hash,
                note,
                cosignature.line,
                now,
            ],
        )
        return Answer(200, cosignature.line)

    def latest(self, origin: str) -> str | None:
        """The last checkpoint cosigned for `origin`, as a note with the log's
        signature and this witness's cosignature."""
        rows = self.state.read(
            "SELECT note, cosignature FROM cosigned WHERE origin = ?"
            " ORDER BY tree_size DESC LIMIT 1",
            [origin],
        )
        if not rows:
            return None
        return str(rows[0]["note"]) + str(rows[0]["cosignature"])

    def refusals(self, origin: str, limit: int = 100) -> list[dict[str, Any]]:
        """The refused signed checkpoints of `origin`, newest first."""
        rows = self.state.read(
            "SELECT kind, status, reason, received_at, request FROM refused"
            " WHERE origin = ? ORDER BY received_at DESC LIMIT ?",
            [origin, limit],
        )
        return [dict(row) for row in rows]

    def info(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "vkey": self.verifier.vkey,
            "logs": sorted(k.vkey for keys in self.logs.values() for k in keys),
        }
