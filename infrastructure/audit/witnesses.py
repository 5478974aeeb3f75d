"""The log's side of witnessing: the witnesses named in settings, the submission of
each new checkpoint to them (c2sp.org/tlog-witness), and the cosignatures and each
witness's last answer, kept on the store for every server process to read."""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import structlog

from infrastructure.audit.checkpoint import Checkpoint
from infrastructure.audit.note import (
    COSIGNATURE_V1,
    NoteError,
    Signature,
    Verifier,
    cosigned_at,
    matches,
    parse_signature_line,
    parse_vkey,
    signature_lines,
)
from infrastructure.audit.witness import SIZE_TYPE

log = structlog.get_logger(__name__)

COSIGNATURES = "jaga_cosignatures"
STATUS = "jaga_witness_status"
TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class WitnessEndpoint:
    """A witness the log submits to: its verifier key and its submission URL."""

    verifier: Verifier
    url: str

    @property
    def name(self) -> str:
        return self.verifier.name


def parse_witnesses(text: str) -> list[WitnessEndpoint]:
    """`JAGA_WITNESSES`: entries split by `;` or newlines, each `VKEY URL`."""
    endpoints: list[WitnessEndpoint] = []
    for n, entry in enumerate(text.replace("\n", ";").split(";"), 1):
        if not entry.strip():
            continue
        parts = entry.split()
        if len(parts) != 2:
            raise ValueError(
                f"JAGA_WITNESSES entry {n}: write `VKEY URL`, got {entry.strip()!r}"
            )
        try:
            verifier = parse_vkey(parts[0])
        except NoteError as exc:
            raise ValueError(f"JAGA_WITNESSES entry {n}: {exc}") from None
        if verifier.kind != COSIGNATURE_V1:
            raise ValueError(f"JAGA_WITNESSES entry {n}: not a witness key (type 0x04)")
        if not parts[1].startswith(("http://", "https://")):
            raise ValueError(f"JAGA_WITNESSES entry {n}: the URL must be http(s)")
        if any(e.name == verifier.name for e in endpoints):
            raise ValueError(f"JAGA_WITNESSES entry {n}: {verifier.name} twice")
        endpoints.append(WitnessEndpoint(verifier, parts[1].rstrip("/")))
    return endpoints


class CosignatureStore:
    """`jaga_cosignatures` (append-only: one witness's cosignature on one checkpoint
    text) and `jaga_witness_status` (each witness's last answer)."""

    def __init__(self, recorder: Any) -> None:
        self.recorder = recorder
        self.ph = recorder.dialect.ph

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self.recorder.datastore.transaction(commit=False) as c:
            c.execute(sql, list(params))
            return list(c.fetchall())

    def add(self, body: str, tree_size: int, signature: Signature, when: int) -> None:
        ph = self.ph
        with self.recorder.datastore.transaction(commit=True) as c:
            c.execute(
                f"INSERT INTO {COSIGNATURES} (tree_size, witness, key_id, body,"
                f" line, cosigned_at, received_at) VALUES"
                f" ({ph},{ph},{ph},{ph},{ph},{ph},{ph}) ON CONFLICT DO NOTHING",
                [
                    tree_size,
                    signature.name,
                    signature.key_id.hex(),
                    body,
                    signature.line.rstrip("\n"),
                    when,
                    datetime.now(UTC).isoformat(),
                ],
            )

    def on(self, body: str) -> list[Signature]:
        """The cosignatures kept on this checkpoint text."""
        rows = self._read(
            f"SELECT line FROM {COSIGNATURES} WHERE body = {self.ph} ORDER BY witness",
            [body],
        )
        return [parse_signature_line(r["line"]) for r in rows]

    def every(self) -> list[tuple[str, Signature]]:
        """Every cosignature kept, with the checkpoint text it covers."""
        rows = self._read(f"SELECT body, line FROM {COSIGNATURES} ORDER BY tree_size")
        return [(r["body"], parse_signature_line(r["line"])) for r in rows]

    def counts(self) -> dict[int, int]:
        """How many witnesses cosigned each tree size."""
        rows = self._read(
            f"SELECT tree_size, COUNT(DISTINCT witness) AS n FROM {COSIGNATURES}"
            " GROUP BY tree_size"
        )
        return {int(r["tree_size"]): int(r["n"]) for r in rows}

    def last_size(self, witness: Verifier) -> int:
        rows = self._read(
            f"SELECT MAX(tree_size) AS n FROM {COSIGNATURES} WHERE witness = {self.ph}"
            f" AND key_id = {self.ph}",
            [witness.name, witness.key_id.hex()],
        )
        return int(rows[0]["n"] or 0)

    def record(
        self, endpoint: WitnessEndpoint, size: int | None, error: str | None
    ) -> None:
        """One submission's outcome; `size` is what the witness last cosigned."""
        now = datetime.now(UTC).isoformat()
        ph = self.ph
        ok = error is None
        with self.recorder.datastore.transaction(commit=True) as c:
            c.execute(
                f"INSERT INTO {STATUS} (witness, url, witness_size, attempted_at,"
                f" cosigned_at, error, failures) VALUES ({ph},{ph},{ph},{ph},{ph},"
                f"{ph},{ph}) ON CONFLICT (witness) DO UPDATE SET url = excluded.url,"
                f" witness_size = COALESCE(excluded.witness_size,"
                f" {STATUS}.witness_size), attempted_at = excluded.attempted_at,"
                f" cosigned_at = COALESCE(excluded.cosigned_at, {STATUS}.cosigned_at),"
                f" error = excluded.error, failures = CASE WHEN excluded.error IS NULL"
                f" THEN 0 ELSE {STATUS}.failures + 1 END",
                [
                    endpoint.verifier.vkey,
                    endpoint.url,
                    size,
                    now,
                    now if ok else None,
                    error,
                    0 if ok else 1,
                ],
            )

    def status(self) -> dict[str, dict[str, Any]]:
        rows = self._read(f"SELECT * FROM {STATUS}")
        return {r["witness"]: dict(r) for r in rows}


def request_body(old: int, proof: Sequence[bytes], cp: Checkpoint) -> bytes:
    """The add-checkpoint body: `old N`, proof lines, a blank line, the note."""
    lines = [f"old {old}\n", *(base64.b64encode(h).decode() + "\n" for h in proof)]
    return ("".join(lines) + "\n" + cp.note_text()).encode("utf-8")


class Refused(Exception):
    """A witness would not cosign; the message says why, for the status."""

    def __init__(self, message: str, size: int | None = None) -> None:
        super().__init__(message)
        self.size = size


class Submitter:
    """Sends a checkpoint to every witness that has not cosigned it yet, each in a
    thread of its own, so one witness that is down delays none of the others."""

    def __init__(
        self,
        endpoints: Sequence[WitnessEndpoint],
        store: CosignatureStore,
        proof: Callable[[int, int], list[bytes]],
        timeout: float = TIMEOUT_SECONDS,
    ) -> None:
        self.endpoints = list(endpoints)
        self.store = store
        self.proof = proof
        self.timeout = timeout

    def submit(self, cp: Checkpoint) -> dict[str, str]:
        """Each witness's outcome: `cosigned` or why not."""
        if not self.endpoints:
            return {}
        done = {s.name for s in self.store.on(cp.note)}
        todo = [e for e in self.endpoints if e.name not in done]
        outcomes = dict.fromkeys(done, "cosigned")
        if not todo:
            return outcomes
        with ThreadPoolExecutor(len(todo), thread_name_prefix="witness") as pool:
            for endpoint, outcome in zip(
                todo, pool.map(lambda e: self._one(e, cp), todo), strict=True
            ):
                outcomes[endpoint.name] = outcome
        return outcomes

    def _one(self, endpoint: WitnessEndpoint, cp: Checkpoint) -> str:
        old = self.store.last_size(endpoint.verifier)
        try:
            for _ in range(3):  # a 409 tells the witness's size; try again from it
                if (
                    old > cp.tree_size
                    and self.store.last_size(endpoint.verifier) >= old
                ):
                    # Another process took a newer checkpoint to it meanwhile.
                    return "cosigned a newer checkpoint"
                if old > cp.tree_size:
                    raise Refused(
                        f"the witness has cosigned size {old}, beyond this "
                        f"checkpoint's {cp.tree_size}",
                        old,
                    )
                answer = self._post(
                    endpoint, request_body(old, self._proof(old, cp), cp)
                )
                if answer.status_code == 409 and answer.headers.get(
                    "content-type", ""
                ).startswith(SIZE_TYPE):
                    told = _size(answer.text)
                    if told is None or told == old:
                        raise Refused(f"refused (409): {answer.text.strip()}", told)
                    old = told
                    continue
                if answer.status_code != 200:
                    raise Refused(
                        f"refused ({answer.status_code}): {answer.text.strip()[:300]}"
                    )
                self._keep(endpoint, cp, answer.text)
                self.store.record(endpoint, cp.tree_size, None)
                return "cosigned"
            raise Refused("the witness's size kept changing", old)
        except Refused as exc:
            error, size = str(exc), exc.size
        except httpx.HTTPError as exc:
            error, size = f"unreachable: {type(exc).__name__}: {exc}", None
        log.warning(
            "witness did not cosign",
            witness=endpoint.name,
            url=endpoint.url,
            tree_size=cp.tree_size,
            error=error,
        )
        self.store.record(endpoint, size, error)
        return error

    def _proof(self, old: int, cp: Checkpoint) -> list[bytes]:
        return self.proof(old, cp.tree_size) if 0 < old < cp.tree_size else []

    def _post(self, endpoint: WitnessEndpoint, body: bytes) -> httpx.Response:
        return httpx.post(
            f"{endpoint.url}/add-checkpoint",
            content=body,
            timeout=self.timeout,
            headers={"content-type": "text/plain; charset=utf-8"},
        )

    def _keep(self, endpoint: WitnessEndpoint, cp: Checkpoint, text: str) -> None:
        try:
            lines = signature_lines(text)
        except NoteError as exc:
            raise Refused(f"its answer is not signature lines: {exc}") from None
        mine = [s for s in lines if matches(s, endpoint.verifier)]
        if not mine:
            raise Refused("its answer holds no cosignature of its key")
        for signature in mine:
            when = cosigned_at(cp.note, signature, endpoint.verifier)
            if when is None:
                raise Refused("its cosignature does not verify with its key")
            self.store.add(cp.note, cp.tree_size, signature, when)


def _size(text: str) -> int | None:
    value = text.strip()
    return int(value) if value.isdigit() and len(value) < 20 else None


def status_json(
    endpoints: Sequence[WitnessEndpoint], store: CosignatureStore
) -> list[dict[str, Any]]:
    """Each configured witness and its last answer, for the checkpoint's readers."""
    kept = store.status()
    out = []
    for endpoint in endpoints:
        row = kept.get(endpoint.verifier.vkey, {})
        out.append(
            {
                "name": endpoint.name,
                "vkey": endpoint.verifier.vkey,
                "url": endpoint.url,
                "cosigned_size": store.last_size(endpoint.verifier),
                "witness_size": row.get("witness_size"),
                "attempted_at": row.get("attempted_at"),
                "cosigned_at": row.get("cosigned_at"),
                "error": row.get("error"),
                "failures": row.get("failures", 0),
            }
        )
    return out
