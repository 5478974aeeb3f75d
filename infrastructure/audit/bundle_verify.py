"""Verifying an export bundle offline (its format: infrastructure/audit/bundle.py):
the checkpoint's signature, every revealed protected value against its commitment,
every event's canonical bytes and leaf hash, the root they rebuild against the
signed one, the evidence files, and a witness quorum."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from application.leaves import leaf_bytes, leaf_format, unopened
from infrastructure.attachments import bundled
from infrastructure.audit.bundle import FORMAT, VERSION, b64
from infrastructure.audit.checkpoint import (
    Checkpoint,
    checkpoint_from_json,
    verify_checkpoint,
)
from infrastructure.audit.frontier import Frontier, frontier_keys
from infrastructure.audit.merkle import leaf_hash, verify_consistency
from infrastructure.audit.note import NoteError, Verifier, parse_signature_line
from infrastructure.audit.quorum import cosigners


@dataclass
class BundleResult:
    """What verifying a bundle found; `first_bad_position` names the first event
    that fails, when one event can be blamed."""

    ok: bool
    reason: str | None
    first_bad_position: int | None = None
    from_position: int | None = None
    to_position: int | None = None
    tree_size: int | None = None
    events: int = 0
    # Protected values shown and checked against their commitments; commitments
    # whose values this bundle's reader may not see.
    revealed: int = 0
    withheld: int = 0
    attachments: int = 0
    key_id: str | None = None
    public_key: str | None = None
    cosigned_by: list[str] | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class BadBundle(ValueError):
    """The bundle fails verification; `position` is the event blamed, if any."""

    def __init__(self, reason: str, position: int | None = None) -> None:
        super().__init__(reason)
        self.position = position


def verify_bundle(
    path: Path | str,
    public_key: bytes | None = None,
    witnesses: Sequence[Verifier] = (),
    quorum: int = 0,
) -> BundleResult:
    """Checks a bundle file offline; `public_key` (raw 32 bytes) pins the signer;
    with `quorum`, that many of `witnesses` must have cosigned its checkpoint."""
    return verify_bundle_bytes(Path(path).read_bytes(), public_key, witnesses, quorum)


def verify_bundle_bytes(
    data: bytes,
    public_key: bytes | None = None,
    witnesses: Sequence[Verifier] = (),
    quorum: int = 0,
) -> BundleResult:
    result = BundleResult(ok=False, reason=None)
    try:
        cp, line = _verify(data, public_key, result)
        if witnesses or quorum:
            _quorum(cp, line, witnesses, quorum, result)
    except BadBundle as exc:
        result.reason = str(exc)
        result.first_bad_position = exc.position
        return result
    result.ok = True
    return result


def _parse(data: bytes) -> list[dict[str, Any]]:
    objects = []
    for n, line in enumerate(data.splitlines(), 1):
        try:
            obj = json.loads(line)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BadBundle(f"line {n} is not JSON: {exc}") from None
        if not isinstance(obj, dict) or not isinstance(obj.get("kind"), str):
            raise BadBundle(f"line {n} is not an object with a kind")
        objects.append(obj)
    return objects


def _take(objects: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    if not objects or objects[0]["kind"] != kind:
        raise BadBundle(f"expected the {kind} line next")
    return objects.pop(0)


def _int(obj: dict[str, Any], key: str) -> int:
    value = obj.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise BadBundle(f"{obj['kind']}.{key} must be an integer")
    return value


def _hex(text: Any, what: str) -> bytes:
    try:
        value = bytes.fromhex(text)
    except (TypeError, ValueError):
        raise BadBundle(f"{what} is not hex") from None
    if len(value) != 32:
        raise BadBundle(f"{what} is not 32 bytes")
    return value


def _verify(
    data: bytes, pinned: bytes | None, result: BundleResult
) -> tuple[Checkpoint, dict[str, Any]]:
    objects = _parse(data)
    header = _take(objects, "header")
    if header.get("format") != FORMAT or header.get("version") != VERSION:
        raise BadBundle(f"not a {FORMAT} version {VERSION}")
    first, last = _int(header, "from_position"), _int(header, "to_position")
    result.from_position, result.to_position = first, last
    cp_line = _take(objects, "checkpoint")
    cp = _checkpoint(cp_line, pinned, result)
    if (
        _int(header, "tree_size") != cp.tree_size
        or not 1 <= first <= last <= cp.tree_size
    ):
        raise BadBundle("the header's range does not fit the checkpoint")
    key = _take(objects, "public_key")
    if key.get("public_key") != b64(cp.public_key):
        raise BadBundle("the public key line differs from the checkpoint's key")
    frontier = _frontier(_take(objects, "left_frontier"), first - 1)
    proof_line = _take(objects, "consistency_proof")
    if (_int(proof_line, "first"), _int(proof_line, "second")) != (last, cp.tree_size):
        raise BadBundle("the consistency proof is for other tree sizes")
    path = proof_line.get("path")
    if not isinstance(path, list):
        raise BadBundle("consistency_proof.path must be a list")
    proof = [_hex(h, "a consistency proof hash") for h in path]
    files = bundled.take_files(objects)
    frontier.append(_leaves(objects, first, last, result))
    found = bundled.problem(
        files,
        [o["record"] for o in objects],
        header.get("attachments") is True,
        header.get("redacted") is True,
    )
    if found is not None:
        raise BadBundle(*found)
    result.attachments = len(files)
    if not verify_consistency(last, cp.tree_size, frontier.root(), cp.root_hash, proof):
        raise BadBundle(
            f"positions {first}..{last} do not hash to the root signed in the "
            f"checkpoint of size {cp.tree_size}; the events were edited consistently "
            "with their leaf hashes, or the left frontier or proof was altered"
        )
    return cp, cp_line


def _quorum(
    cp: Checkpoint,
    line: dict[str, Any],
    witnesses: Sequence[Verifier],
    quorum: int,
    result: BundleResult,
) -> None:
    """At least `quorum` of the named witnesses cosigned the bundle's checkpoint;
    a cosignature that claims a named key and fails rejects the bundle."""
    texts = line.get("cosignatures", [])
    if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
        raise BadBundle("checkpoint.cosignatures must be a list of signature lines")
    try:
        signatures = [parse_signature_line(t) for t in texts]
    except NoteError as exc:
        raise BadBundle(f"a cosignature line is malformed: {exc}") from None
    valid, bad = cosigners(cp.note, signatures, witnesses)
    result.cosigned_by = sorted(valid)
    if bad:
        raise BadBundle(f"the cosignature of {', '.join(sorted(bad))} does not verify")
    needed = quorum if quorum > 0 else len(witnesses)
    if len(valid) < needed:
        missing = sorted({w.name for w in witnesses} - set(valid))
        raise BadBundle(
            f"{len(valid)} of the {needed} cosignatures needed on the checkpoint of "
            f"size {cp.tree_size}; not cosigned by {', '.join(missing)}"
        )


def _checkpoint(
    obj: dict[str, Any], pinned: bytes | None, result: BundleResult
) -> Checkpoint:
    try:
        cp = checkpoint_from_json(obj)
    except ValueError as exc:
        raise BadBundle(f"bad checkpoint: {exc}") from None
    result.tree_size, result.key_id = cp.tree_size, cp.key_id
    result.public_key = b64(cp.public_key)
    if not verify_checkpoint(cp):
        raise BadBundle("the checkpoint's signature does not verify")
    if pinned is not None and pinned != cp.public_key:
        raise BadBundle("the checkpoint is signed by another key than the one given")
    return cp


def _frontier(obj: dict[str, Any], size: int) -> Frontier:
    nodes = obj.get("nodes")
    if not isinstance(nodes, list):
        raise BadBundle("left_frontier.nodes must be a list")
    found: dict[tuple[int, int], bytes] = {}
    for node in nodes:
        if (
            not isinstance(node, list)
            or len(node) != 3
            or not all(isinstance(x, int) for x in node[:2])
        ):
            raise BadBundle("a left frontier node must be [level, index, hex]")
        found[(node[0], node[1])] = _hex(node[2], "a left frontier hash")
    if sorted(found) != sorted(frontier_keys(size)):
        raise BadBundle(f"the left frontier is not the one of {size} leaves")
    return Frontier(found, size)


def _leaves(
    objects: list[dict[str, Any]], first: int, last: int, result: BundleResult
) -> list[bytes]:
    leaves: list[bytes] = []
    expected = first
    for obj in objects:
        if obj["kind"] != "event":
            raise BadBundle(f"unexpected {obj['kind']} line among the events")
        if expected > last:
            raise BadBundle(f"an event after position {last}", last + 1)
        position = obj.get("position")
        if position != expected:
            raise BadBundle(f"position {expected} is missing or out of order", expected)
        record = obj.get("record")
        if obj.get("canonical") is None and isinstance(record, dict):
            raise BadBundle(
                "its leaf (format 1) holds values withheld from this bundle's "
                "reader, so it cannot be checked",
                position,
            )
        try:
            data = base64.b64decode(obj.get("canonical", ""), validate=True)
        except (binascii.Error, ValueError, TypeError):
            raise BadBundle("its canonical bytes are not base64", position) from None
        _openings(record, data, position, result)
        try:
            same = isinstance(record, dict) and leaf_bytes(record) == data
        except (ValueError, KeyError, TypeError):  # NaN, a malformed record or salt
            same = False
        if not same:
            raise BadBundle("its record differs from its canonical bytes", position)
        assert isinstance(record, dict)
        if record.get("position") != position:
            raise BadBundle("its record names another position", position)
        leaf = leaf_hash(data)
        if obj.get("leaf_hash") != leaf.hex():
            raise BadBundle(
                "its canonical bytes do not hash to its leaf hash", position
            )
        leaves.append(leaf)
        expected += 1
        result.events += 1
    if expected <= last:
        raise BadBundle(f"position {expected} is missing", expected)
    return leaves


def _openings(record: Any, data: bytes, position: int, result: BundleResult) -> None:
    """Every protected value the record reveals recomputes the commitment its leaf
    holds; names the field that does not."""
    try:
        if not isinstance(record, dict) or leaf_format(record) != 2:
            return
    except (AttributeError, TypeError, ValueError):
        return  # a malformed record fails the canonical bytes check next
    try:
        leaf = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BadBundle("its canonical bytes are not JSON", position) from None
    if not isinstance(leaf, dict):
        raise BadBundle("its canonical bytes are not a leaf object", position)
    field = unopened(record, leaf)
    if field is not None:
        raise BadBundle(
            f"its {field} does not match the commitment its leaf holds (the value "
            "or its salt was changed)",
            position,
        )
    result.revealed += len(record["meta"].get("salts") or {})
    commitments = record.get("commitments")
    result.withheld += len(commitments) if isinstance(commitments, dict) else 0
