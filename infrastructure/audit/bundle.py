"""The export bundle: a range of the log that anyone can check offline against a
signed checkpoint, with no server and no database.

One JSON Lines file, one object a line, each with a `kind`:

1. `header`: format version, `from_position`, `to_position`, `tree_size`, and how
   leaves and nodes are hashed.
2. `checkpoint`: the signed checkpoint of API.md (tree_size >= to_position), plus its
   full C2SP signed note with the witnesses' cosignature lines (`signed_note`) and
   those lines alone (`cosignatures`, c2sp.org/tlog-cosignature).
3. `public_key`: the Ed25519 key that signed it (raw base64 and PEM).
4. `left_frontier`: hashes of the perfect subtrees covering positions
   1..from_position-1 ([level, index, hex], left to right), so a range that does not
   start at 1 still rebuilds the root of the tree of size `to_position`.
5. `consistency_proof`: RFC 6962 proof from tree `to_position` to the checkpoint's
   tree, so that root is tied to the signed one.
6. `event`, one per position in order: `position`, `leaf_hash` (hex, as stored),
   `canonical` (base64 of the exact bytes hashed) and `record`: the event with the
   values and salts of its protected fields (application/leaves.py), or, in a
   redacted bundle (header `"redacted": true`), without those the reader may not
   see: their commitments stand in the record's `commitments`, so the leaf checks
   the same. A format-1 leaf holding a withheld value has no `canonical`.
7. `attachment`, when the header says `"attachments": true`: one per evidence file
   the events name, checked against the SHA-256, size and type the event names
   (infrastructure/attachments/bundled.py).

A verifier (infrastructure/audit/bundle_verify.py) checks the signature, that each
revealed protected value opens its commitment, that each record's canonical bytes
are the ones given and hash to the leaf, then rebuilds the
root and checks the proof; given witness keys and a quorum, it also counts the valid
cosignatures of those witnesses on the checkpoint.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from application.leaves import leaf_bytes, withheld
from infrastructure.audit.checkpoint import Checkpoint
from infrastructure.audit.note import Signature

FORMAT = "jaga-audit-bundle"
VERSION = 1
HASHING = (
    "RFC 6962 section 2.1, SHA-256: leaf = H(0x00 || canonical), "
    "node = H(0x01 || left || right); leaf i is the event at position i+1"
)
CANONICAL = (
    "UTF-8 JSON, keys sorted, separators ',' and ':', no spaces, non-ASCII "
    "characters unescaped; leaf format 2 (meta.leaf = 2): the record without its "
    "position and salts, each protected value replaced in `commitments` by "
    "hex SHA-256(salt || canonical JSON of the value); format 1: the whole record"
)


def _line(obj: dict[str, Any]) -> bytes:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False).encode("utf-8") + b"\n"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def public_key_pem(raw: bytes) -> str:
    key = Ed25519PublicKey.from_public_bytes(raw)
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def bundle_lines(
    cp: Checkpoint,
    from_position: int,
    to_position: int,
    left_frontier: Sequence[tuple[int, int, bytes]],
    proof: Sequence[bytes],
    events: Iterable[tuple[dict[str, Any], bytes]],
    cosignatures: Sequence[Signature] = (),
    redacted: bool = False,
) -> Iterator[bytes]:
    """The bundle, a line at a time, as `events` (record with position, stored leaf
    hash) are read: a bundle of any length is written in constant memory.
    `redacted` says the records may hold commitments in place of values."""
    lines = [s.line for s in cosignatures]
    yield _line(
        {
            "kind": "header",
            "format": FORMAT,
            "version": VERSION,
            "from_position": from_position,
            "to_position": to_position,
            "tree_size": cp.tree_size,
            "hashing": HASHING,
            "canonical": CANONICAL,
            "redacted": redacted,
        }
    )
    yield _line(
        {
            "kind": "checkpoint",
            **cp.to_json(),
            "signed_note": cp.note_text() + "".join(lines),
            "cosignatures": [line.rstrip("\n") for line in lines],
        }
    )
    yield _line(
        {
            "kind": "public_key",
            "algorithm": "ed25519",
            "key_id": cp.key_id,
            "public_key": b64(cp.public_key),
            "pem": public_key_pem(cp.public_key),
        }
    )
    yield _line(
        {
            "kind": "left_frontier",
            "nodes": [[lv, i, h.hex()] for lv, i, h in left_frontier],
        }
    )
    yield _line(
        {
            "kind": "consistency_proof",
            "first": to_position,
            "second": cp.tree_size,
            "path": [h.hex() for h in proof],
        }
    )
    for record, stored_leaf in events:
        yield _line(
            {
                "kind": "event",
                "position": record["position"],
                "leaf_hash": stored_leaf.hex(),
                "canonical": None if withheld(record) else b64(leaf_bytes(record)),
                "record": record,
            }
        )


def write_bundle(
    cp: Checkpoint,
    from_position: int,
    to_position: int,
    left_frontier: Sequence[tuple[int, int, bytes]],
    proof: Sequence[bytes],
    events: Iterable[tuple[dict[str, Any], bytes]],
    cosignatures: Sequence[Signature] = (),
    redacted: bool = False,
) -> bytes:
    """The whole bundle's bytes (see `bundle_lines`)."""
    return b"".join(
        bundle_lines(
            cp,
            from_position,
            to_position,
            left_frontier,
            proof,
            events,
            cosignatures,
            redacted,
        )
    )
