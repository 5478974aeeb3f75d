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
from application.redaction import PROTECTED_ENVELOPE, PROTECTED_FIELDS

LEAF_FORMAT = 2
SALT_BYTES = 16
# Data fields that hold other fields by name (a correction's changes).
NESTED = ("changes",)


def leaf_hash(data: bytes) -> bytes:
    """RFC 6962 leaf hash: SHA-256(0x00 || data)."""
    return hashlib.sha256(b"\x00" + data).digest()


def protected_paths(data: Mapping[str, Any]) -> list[str]:
    """The protected fields an event holds: its own, and those a correction's
    `changes` set (as `changes.roster`), so a correction commits to them too."""
    paths = [field for field in data if field in PROTECTED_FIELDS]
    for outer in NESTED:
        inner = data.get(outer)
        if isinstance(inner, Mapping):
            paths += [f"{outer}.{f}" for f in inner if f in PROTECTED_FIELDS]
    return paths


def new_salts(data: Mapping[str, Any]) -> dict[str, str]:
    """A fresh random salt for every protected field the event holds, and for the
    protected fields of its envelope (who wrote it)."""
    return {
        path: base64.b64encode(os.urandom(SALT_BYTES)).decode("ascii")
        for path in [*protected_paths(data), *sorted(PROTECTED_ENVELOPE)]
    }


def _holds(data: Mapping[str, Any], path: str) -> bool:
    outer, _, inner = path.partition(".")
    if not inner:
        return path in data
    nested = data.get(outer)
    return isinstance(nested, Mapping) and inner in nested


def _pop(data: dict[str, Any], path: str) -> Any:
    """Takes `path` out of `data` (a copy; a nested dict is copied before)."""
    outer, _, inner = path.partition(".")
    if not inner:
        return data.pop(path)
    nested = dict(data[outer])
    data[outer] = nested
    return nested.pop(inner)


def value_at(record: Mapping[str, Any], path: str) -> Any:
    """The value a salt commits to: an envelope field, or a data field."""
    if path in PROTECTED_ENVELOPE:
        return record[path]
    data = record["data"]
    outer, _, inner = path.partition(".")
    return data[outer][inner] if inner else data[path]


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
    leaf = {k: v for k, v in record.items() if k not in ("position", "commitments")}
    for field, salt in salts.items():
        if field in PROTECTED_ENVELOPE:
            if field in leaf:
                commitments[field] = commitment(salt, leaf.pop(field))
        elif _holds(data, field):
            commitments[field] = commitment(salt, _pop(data, field))
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
    by its commitment, so the leaf still verifies; a field hidden is hidden in a
    correction's changes too. A format-1 record has no commitments: its hidden
    fields are dropped and its leaf cannot be checked."""
    meta = dict(record.get("meta") or {})
    salts = dict(meta.get("salts") or {})
    data = dict(record["data"])
    commitments = dict(record.get("commitments") or {})
    names = set(hidden)
    out = dict(record)
    for field in sorted(names & PROTECTED_ENVELOPE):
        salt = salts.get(field)
        if field in out and salt is not None:
            commitments[field] = commitment(salt, out.pop(field))
            del salts[field]
    paths = [f for f in data if f in names]
    for outer in NESTED:
        inner = data.get(outer)
        if isinstance(inner, Mapping):
            paths += [f"{outer}.{f}" for f in inner if f in names]
    for path in paths:
        value = _pop(data, path)
        salt = salts.pop(path, None)
        if salt is not None:
            commitments[path] = commitment(salt, value)
    out["data"] = data
    if leaf_format(record) == 2:
        out["meta"] = {**meta, "salts": salts}
        out["commitments"] = commitments
    elif paths:
        out["withheld"] = True
    return out


def withheld(record: Mapping[str, Any]) -> bool:
    """A format-1 record whose leaf holds values this reader may not see: its leaf
    bytes cannot be given, nor checked."""
    return leaf_format(record) == 1 and record.get("withheld") is True


def unopened(record: Mapping[str, Any], leaf: Mapping[str, Any]) -> str | None:
    """The first protected field whose revealed value and salt do not recompute the
    commitment `leaf` (a parsed format-2 leaf) holds for it; None when all do."""
    salts = (record.get("meta") or {}).get("salts") or {}
    held = leaf.get("commitments") or {}
    if not isinstance(salts, Mapping) or not isinstance(held, Mapping):
        return "meta.salts"
    for field, salt in sorted(salts.items()):
        try:
            opened = commitment(salt, value_at(record, field))
        except (AttributeError, KeyError, TypeError, ValueError):  # no value, bad salt
            return str(field)
        if held.get(field) != opened:
            return str(field)
    return None
