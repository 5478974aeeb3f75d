"""The Merkle leaf of an event: the exact bytes a leaf hashes, in two formats.

Format 1, the first format, is the whole event record with its position.

Format 2 leaves the position out, since the leaf's index in the tree already commits
to it (leaf i is position i + 1), so a leaf is hashed before the store assigns the
position. For each protected field it holds a salted commitment instead of the
value: SHA-256 over a random salt and the value's canonical JSON. The stored event
keeps the value and its salt, so a reader allowed to see the field can recompute
the commitment, and a reader who is not still checks the leaf, its proofs and the
checkpoints with the commitment alone. A format-2 event says so in its stored
envelope (`meta.leaf`).
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Iterable, Mapping
from typing import Any

from application.records import canonical_bytes
from application.redaction import PROTECTED_FIELDS

LEAF_FORMAT = 2
SALT_BYTES = 16


def leaf_hash(data: bytes) -> bytes:
    """RFC 6962 leaf hash: SHA-256(0x00 || data)."""
    return hashlib.sha256(b"\x00" + data).digest()


def new_salts(data: Mapping[str, Any]) -> dict[str, str]:
    """A fresh random salt for every protected field the event holds."""
    return {
        field: base64.b64encode(os.urandom(SALT_BYTES)).decode("ascii")
        for field in data
        if field in PROTECTED_FIELDS
    }


def commitment(salt: str, value: Any) -> str:
    """SHA-256 (hex) of the salt's bytes followed by the value's canonical JSON."""
    raw = base64.b64decode(salt.encode("ascii"), validate=True)
    return hashlib.sha256(raw + canonical_bytes(value)).hexdigest()


def leaf_format(record: Mapping[str, Any]) -> int:
    meta = record.get("meta") or {}
    return int(meta.get("leaf") or 1)


def leaf_object(record: Mapping[str, Any]) -> dict[str, Any]:
    """What a format-2 leaf holds: the record without its position, the protected
    values replaced by their commitments, the salts left out.

    A redacted record (see `redact`) carries commitments instead of values and
    salts; both shapes give the same object.
    """
    meta = dict(record.get("meta") or {})
    salts: dict[str, str] = meta.pop("salts", None) or {}
    data = dict(record["data"])
    commitments = dict(record.get("commitments") or {})
    for field, salt in salts.items():
        if field in data:
            commitments[field] = commitment(salt, data.pop(field))
    leaf = {k: v for k, v in record.items() if k not in ("position", "commitments")}
    leaf["data"] = data
    leaf["meta"] = meta
    leaf["commitments"] = commitments
    return leaf


def leaf_bytes(record: Mapping[str, Any]) -> bytes:
    """The exact bytes the event's Merkle leaf hashes."""
    if leaf_format(record) == 1:
        return canonical_bytes(dict(record))
    return canonical_bytes(leaf_object(record))


def redact(record: Mapping[str, Any], hidden: Iterable[str]) -> dict[str, Any]:
    """The record without the values (and salts) of `hidden` fields, each replaced
    by its commitment, so the leaf still verifies. A format-1 record has no
    commitments: its hidden fields are dropped and its leaf cannot be checked."""
    meta = dict(record.get("meta") or {})
    salts = dict(meta.get("salts") or {})
    data = dict(record["data"])
    commitments = dict(record.get("commitments") or {})
    for field in hidden:
        if field not in data:
            continue
        value = data.pop(field)
        salt = salts.pop(field, None)
        if salt is not None:
            commitments[field] = commitment(salt, value)
    out = dict(record)
    out["data"] = data
    if leaf_format(record) == 2:
        out["meta"] = {**meta, "salts": salts}
        out["commitments"] = commitments
    return out
