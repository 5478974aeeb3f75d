"""Judging cosignatures: which named witnesses vouch for a checkpoint, whether a log
agrees with what they vouched for (and where it forks if not), and whether witnesses
were shown different histories."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import quote

import httpx

from infrastructure.audit.note import (
    CheckpointBody,
    NoteError,
    Signature,
    Verifier,
    cosigned_at,
    matches,
    parse_checkpoint_body,
    signed_by,
    split_note,
)


def cosigners(
    body: str, signatures: Iterable[Signature], witnesses: Sequence[Verifier]
) -> tuple[dict[str, int], list[str]]:
    """The named witnesses whose cosignature on `body` verifies (name -> time), and
    those whose line claims their key but fails. Other lines are ignored."""
    valid: dict[str, int] = {}
    bad: list[str] = []
    for signature in signatures:
        for witness in witnesses:
            if not matches(signature, witness):
                continue
            when = cosigned_at(body, signature, witness)
            if when is None:
                bad.append(witness.name)
            else:
                valid[witness.name] = when
    return valid, bad


@dataclass
class Witnessed:
    """A checkpoint text and the named witnesses that validly cosigned it."""

    text: str
    checkpoint: CheckpointBody
    by: dict[str, int] = field(default_factory=dict)

    @property
    def key(self) -> tuple[int, bytes]:
        return self.checkpoint.tree_size, self.checkpoint.root_hash


def gather(
    cosigned: Iterable[tuple[str, Signature]], witnesses: Sequence[Verifier]
) -> list[Witnessed]:
    """Groups (checkpoint text, cosignature) pairs into checkpoints with the named
    witnesses that cosigned each; invalid and unknown cosignatures count for none."""
    found: dict[tuple[int, bytes], Witnessed] = {}
    for text, signature in cosigned:
        valid, _ = cosigners(text, [signature], witnesses)
        if not valid:
            continue
        try:
            body = parse_checkpoint_body(text)
        except NoteError:
            continue
        entry = found.setdefault(
            (body.tree_size, body.root_hash), Witnessed(text, body)
        )
        entry.by.update(valid)
    return sorted(found.values(), key=lambda w: w.key)


def _names(by: Iterable[str]) -> str:
    return ", ".join(sorted(by))


@dataclass
class Judgement:
    """What a log's history looks like against what the witnesses cosigned."""

    ok: bool
    reason: str | None
    first_bad_position: int | None = None
    witnessed_size: int | None = None
    cosigned_by: list[str] = field(default_factory=list)
    fork: dict[str, Any] | None = None


def split_views(witnessed: Sequence[Witnessed]) -> Judgement | None:
    """Two cosigned checkpoints of one size with different roots, if any."""
    by_size: dict[int, Witnessed] = {}
    for entry in witnessed:
        other = by_size.setdefault(entry.checkpoint.tree_size, entry)
        if other is not entry:
            size = entry.checkpoint.tree_size
            return Judgement(
                ok=False,
                reason=f"split view at size {size}: {_names(other.by)} cosigned "
                f"root {other.checkpoint.root_hash.hex()[:16]}…, {_names(entry.by)} "
                f"cosigned root {entry.checkpoint.root_hash.hex()[:16]}…",
                first_bad_position=None,
                fork={
                    "tree_size": size,
                    "roots": {
                        other.checkpoint.root_hash.hex(): sorted(other.by),
                        entry.checkpoint.root_hash.hex(): sorted(entry.by),
                    },
                },
            )
    return None


def judge(
    witnessed: Sequence[Witnessed],
    quorum: int,
    log_size: int,
    root_at: Callable[[int], bytes],
) -> Judgement:
    """Checks a log against every cosigned checkpoint (any cosigner), then asks for
    one of at least `quorum` named witnesses that the log agrees with."""
    split = split_views(witnessed)
    if split is not None:
        return split
    agreed = 0
    for entry in witnessed:
        size, root = entry.key
        if size > log_size:
            return Judgement(
                ok=False,
                reason=f"{_names(entry.by)} cosigned {size} events but the log "
                f"holds {log_size}: events were removed",
                first_bad_position=log_size + 1,
                fork={"tree_size": size, "witnessed_root": root.hex()},
            )
        ours = root_at(size)
        if ours != root:
            return Judgement(
                ok=False,
                reason=f"fork: {_names(entry.by)} cosigned root {root.hex()[:16]}… "
                f"at size {size}, but this log's first {size} events hash to "
                f"{ours.hex()[:16]}…; its history was rewritten between positions "
                f"{agreed + 1} and {size}",
                # One position is named only when the range holds just one.
                first_bad_position=size if agreed + 1 == size else None,
                fork={
                    "tree_size": size,
                    "witnessed_root": root.hex(),
                    "log_root": ours.hex(),
                    "agreed_size": agreed,
                    "cosigned_by": sorted(entry.by),
                },
            )
        agreed = size
    enough = [w for w in witnessed if len(w.by) >= quorum]
    if not enough:
        seen = {
            name: max(w.checkpoint.tree_size for w in witnessed if name in w.by)
            for w in witnessed
            for name in w.by
        }
        found = (
            "; ".join(f"{n} up to size {s}" for n, s in sorted(seen.items())) or "none"
        )
        return Judgement(
            ok=False,
            reason=f"no checkpoint carries valid cosignatures of {quorum} of the "
            f"named witnesses (found: {found})",
        )
    best = enough[-1]
    return Judgement(
        ok=True,
        reason=None,
        witnessed_size=best.checkpoint.tree_size,
        cosigned_by=sorted(best.by),
    )


@dataclass
class Comparison:
    """Several witnesses' cosigned checkpoints side by side."""

    split: bool
    checkpoints: list[dict[str, Any]]
    findings: list[str]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def lines(self) -> list[str]:
        out = [
            f"{c['source']}: size {c['tree_size']} root {c['root_hash'][:16]}… "
            f"cosigned by {', '.join(c['cosigned_by']) or 'no named witness'}"
            for c in self.checkpoints
        ]
        verdict = "SPLIT" if self.split else "CONSISTENT"
        return [*out, *(f"{verdict}: {f}" for f in self.findings)]


def compare_notes(
    notes: Sequence[tuple[str, str]], log: Verifier, witnesses: Sequence[Verifier]
) -> Comparison:
    """Compares cosigned checkpoint notes (source, text). Two notes the log signed
    with one size and different roots prove that it showed two histories."""
    rows: list[dict[str, Any]] = []
    findings: list[str] = []
    by_size: dict[int, dict[str, Any]] = {}
    split = False
    for source, text in notes:
        try:
            body, signatures = split_note(text)
            cp = parse_checkpoint_body(body)
        except NoteError as exc:
            findings.append(f"{source}: not a checkpoint note: {exc}")
            continue
        if cp.origin != log.name or not any(
            signed_by(body, s, log) for s in signatures
        ):
            findings.append(f"{source}: not signed by the log key {log.vkey}")
            continue
        valid, bad = cosigners(body, signatures, witnesses)
        findings += [f"{source}: the cosignature of {name} fails" for name in bad]
        row = {
            "source": source,
            "tree_size": cp.tree_size,
            "root_hash": cp.root_hash.hex(),
            "cosigned_by": sorted(valid),
        }
        rows.append(row)
        other = by_size.setdefault(cp.tree_size, row)
        if other["root_hash"] != row["root_hash"]:
            split = True
            findings.append(
                f"the log signed two roots for size {cp.tree_size}: "
                f"{other['root_hash']} ({other['source']}) and {row['root_hash']} "
                f"({source})"
            )
    sizes = sorted(by_size)
    if not split and len(sizes) > 1:
        findings.append(
            f"sizes {', '.join(map(str, sizes))} differ; a consistency proof from the "
            "log (`jaga proof consistency`) ties them, and a log that cannot give "
            "one has split"
        )
    elif not split and rows:
        findings.append(f"every note holds the same root for size {sizes[0]}")
    return Comparison(split, rows, findings)


def fetch_note(url: str, origin: str, timeout: float = 10.0) -> str:
    """A witness's latest cosigned checkpoint of `origin` (GET /checkpoint)."""
    answer = httpx.get(
        f"{url.rstrip('/')}/checkpoint?origin={quote(origin, safe='')}",
        timeout=timeout,
    )
    if answer.status_code != 200:
        raise ValueError(f"the witness answered {answer.status_code}")
    return answer.text
