"""Witnessing inside the audit service: checkpoints taken to the witnesses, the
checkpoint as readers get it with its cosignatures, the witnessed checkpoint of the
public feed and of export bundles, and the live store held to a quorum."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx

from infrastructure.audit.checkpoint import Checkpoint
from infrastructure.audit.merkle import consistency_proof, root
from infrastructure.audit.note import Signature, Verifier, split_note
from infrastructure.audit.quorum import fetch_note, gather, judge
from infrastructure.audit.witnesses import (
    COSIGNATURES,
    CosignatureStore,
    Submitter,
    parse_witnesses,
    status_json,
)

if TYPE_CHECKING:
    from infrastructure.audit.service import AuditService


def cosignature_json(signature: Signature) -> dict[str, Any]:
    return {
        "witness": signature.name,
        "key_id": signature.key_id.hex(),
        "timestamp": int.from_bytes(signature.signature[:8], "big"),
        "line": signature.line.rstrip("\n"),
    }


def cosigned_note(cp: Checkpoint, cosignatures: Sequence[Signature]) -> str:
    """The C2SP note: the text, the log's signature line, one line per witness."""
    return cp.note_text() + "".join(s.line for s in cosignatures)


RETRY_SECONDS = 5.0


def due(attempted_at: str | None) -> bool:
    """A witness not tried in the last few seconds (readers polling the checkpoint
    must not turn into a stream of submissions to a witness that is down)."""
    if attempted_at is None:
        return True
    age = datetime.now(UTC) - datetime.fromisoformat(attempted_at)
    return age.total_seconds() > RETRY_SECONDS


class Witnessing:
    """The witnesses in settings and what they cosigned, for one audit service."""

    def __init__(self, service: AuditService, witnesses: str) -> None:
        self.service = service
        self.recorder = service.recorder
        self.endpoints = parse_witnesses(witnesses)
        self.cosignatures = CosignatureStore(self.recorder)
        self.submitter = Submitter(
            self.endpoints,
            self.cosignatures,
            lambda first, second: consistency_proof(first, second, self.recorder),
        )

    def submit(self, cp: Checkpoint) -> dict[str, str]:
        return self.submitter.submit(cp)

    def checkpoint_json(self, cp: Checkpoint) -> dict[str, Any]:
        """API.md's checkpoint fields, its cosignatures, the whole note with every
        signature line, and each configured witness's last answer."""
        signatures = self.cosignatures.on(cp.note)
        return {
            **cp.to_json(),
            "vkey": self.service.verifier.vkey,
            "cosignatures": [cosignature_json(s) for s in signatures],
            "signed_note": cosigned_note(cp, signatures),
            "witnesses": status_json(self.endpoints, self.cosignatures),
        }

    def _best(self, where: str, params: list[Any], having: int) -> Checkpoint | None:
        """This log's checkpoint with the most cosigners among those matching."""
        ph = self.recorder.dialect.ph
        with self.recorder.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT tree_size, body, COUNT(DISTINCT witness) AS n"
                f" FROM {COSIGNATURES} WHERE {where} GROUP BY tree_size, body"
                f" HAVING COUNT(DISTINCT witness) >= {ph}"
                f" ORDER BY n DESC, tree_size DESC LIMIT 10",
                [*params, having],
            )
            return self._ours(list(c.fetchall()))

    def _ours(self, rows: list[Any]) -> Checkpoint | None:
        # A cosigned text counts only if it is the very checkpoint this log signed.
        for row in rows:
            cp = self.service.stored_at(int(row["tree_size"]))
            if cp is not None and cp.note == row["body"]:
                return cp
        return None

    def witnessed(self, quorum: int = 1) -> Checkpoint | None:
        """The newest checkpoint cosigned by at least `quorum` witnesses."""
        if quorum <= 0:
            return self.service.latest_checkpoint(issue=True)
        ph = self.recorder.dialect.ph
        with self.recorder.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT tree_size, body FROM {COSIGNATURES} GROUP BY tree_size, body"
                f" HAVING COUNT(DISTINCT witness) >= {ph}"
                f" ORDER BY tree_size DESC LIMIT 10",
                [quorum],
            )
            return self._ours(list(c.fetchall()))

    def bundle_checkpoint(self, to_position: int, latest: Checkpoint) -> Checkpoint:
        """The checkpoint a bundle ending at `to_position` relies on: of those that
        cover it, the one most witnesses cosigned, the newest of equals."""
        ph = self.recorder.dialect.ph
        best = self._best(f"tree_size >= {ph}", [to_position], 1)
        return best if best is not None else latest

    def judge(
        self, result: dict[str, Any], witnesses: Sequence[Verifier], quorum: int
    ) -> dict[str, Any]:
        """Holds a verified live store to the named witnesses' cosignatures: those
        kept here and the latest each configured witness holds itself."""
        pairs: list[tuple[str, Signature]] = self.cosignatures.every()
        asked: dict[str, str] = {}
        named = {w.vkey for w in witnesses}
        for endpoint in self.endpoints:
            if endpoint.verifier.vkey not in named:
                continue
            try:
                body, signatures = split_note(
                    fetch_note(endpoint.url, self.service.origin)
                )
            except (httpx.HTTPError, ValueError) as exc:
                asked[endpoint.name] = f"not asked: {exc}"
                continue
            pairs += [(body, s) for s in signatures]
            asked[endpoint.name] = "answered"
        judgement = judge(
            gather(pairs, witnesses),
            quorum if quorum > 0 else len(witnesses),
            int(result["tree_size"]),
            lambda size: root(size, self.recorder),
        )
        return {
            **result,
            "ok": judgement.ok,
            "reason": judgement.reason,
            "first_bad_position": judgement.first_bad_position,
            "witnessed_size": judgement.witnessed_size,
            "cosigned_by": judgement.cosigned_by,
            "fork": judgement.fork,
            "witnesses_asked": asked,
        }
