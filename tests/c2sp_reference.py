"""A reference reading of the C2SP formats, written from the specifications alone
(c2sp.org/signed-note, tlog-checkpoint, tlog-cosignature) and sharing no code with
Jaga: the tests hold Jaga's notes and cosignatures to it."""

from __future__ import annotations

import base64
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

EM_DASH = "\u2014"


class Rejected(Exception):
    """The note must be rejected (signed-note: a known key's signature failed)."""


def key_hash(name: str, kind: int, key: bytes) -> bytes:
    # signed-note: SHA-256(key name || 0x0A || signature type || public key)[:4]
    return hashlib.sha256(name.encode() + b"\x0a" + bytes([kind]) + key).digest()[:4]


def read_vkey(vkey: str) -> tuple[str, int, bytes]:
    """name+hex key hash+base64(type || key), the hash checked."""
    name, hex_hash, material = vkey.split("+", 2)
    raw = base64.b64decode(material)
    if key_hash(name, raw[0], raw[1:]).hex() != hex_hash:
        raise ValueError("key hash mismatch")
    return name, raw[0], raw[1:]


def checkpoint_lines(text: str) -> tuple[str, int, bytes]:
    """tlog-checkpoint: origin, decimal size, base64 root hash."""
    origin, size, root = text.split("\n")[:3]
    assert size == "0" or not size.startswith("0")
    return origin, int(size), base64.b64decode(root)


def open_note(note: str, vkeys: list[str]) -> tuple[str, dict[str, int | None]]:
    """The note's text and, per known key that signed it, the cosignature time
    (None for a plain Ed25519 signature). Unknown keys are ignored."""
    cut = note.rindex("\n\n")
    text, signatures = note[: cut + 1], note[cut + 2 :]
    assert signatures.endswith("\n")
    known = {}
    for vkey in vkeys:
        name, kind, key = read_vkey(vkey)
        known[(name, key_hash(name, kind, key))] = (kind, key)
    found: dict[str, int | None] = {}
    for line in signatures[:-1].split("\n"):
        assert line.startswith(EM_DASH + " ")
        name, blob = line[2:].split(" ")
        raw = base64.b64decode(blob)
        entry = known.get((name, raw[:4]))
        if entry is None:
            continue
        kind, key = entry
        if kind == 0x01:
            message, signature, when = text.encode(), raw[4:], None
        elif kind == 0x04:
            # tlog-cosignature: u64 big-endian time, then the Ed25519 signature of
            # "cosignature/v1\ntime <t>\n" followed by the checkpoint text.
            when = int.from_bytes(raw[4:12], "big")
            message = f"cosignature/v1\ntime {when}\n".encode() + text.encode()
            signature = raw[12:]
        else:
            continue
        try:
            Ed25519PublicKey.from_public_bytes(key).verify(signature, message)
        except InvalidSignature:
            raise Rejected(f"the signature of {name} fails") from None
        found[name] = when
    return text, found


# Published vectors. golang.org/x/mod/sumdb/note's example note (type 0x01):
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
PETER_NOTE = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n\n"
    f"{EM_DASH} PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6"
    "RyyBwJnAM=\n"
)
# A checkpoint of a staging CT log with its log signature and a cosignature by the
# public witness remora.n621.de (type 0x04), as published with its keys.
ARCHE_LOG_VKEY = (
    "arche2025h1.staging.ct.transparency.dev+ba2f06c0+"
    "AU0vHmlGCS/PdN8b2OaGmKprLI8HKM+dJ472xgFYh15f"
)
REMORA_VKEY = "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2"
ARCHE_NOTE = (
    "arche2025h1.staging.ct.transparency.dev\n1432088532\n"
    "U7WM79jrzyhGZ5/GUBTpM7NzwdyfFx61t3RovgcC4Ro=\n\n"
    f"{EM_DASH} arche2025h1.staging.ct.transparency.dev "
    "ui8GwCF1+kWqZrxGdhj4aX3gcw7XUlXQQabg/27lefwhUkzbC3NygNI75MdhL1bfTW9g8Ei59RA23oHP7R"
    "y1k3ZFWwQ=\n"
    f"{EM_DASH} remora.n621.de "
    "2net5wAAAABqEiEgPlfF3V06o0Y+fHM+J5J9s27wgxxcOVSpZ/2g/KSiXCg9DEZI+aVCIobWX9sXTynk5X"
    "eU/zZ0WBxtqB0DrAWfBw==\n"
)
