"""C2SP signed notes, verifier keys and tlog-cosignature/v1 cosignatures: the text
forms a log, its witnesses and every verifier exchange (c2sp.org/signed-note,
c2sp.org/tlog-checkpoint, c2sp.org/tlog-cosignature)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from infrastructure.audit.checkpoint import public_key_bytes, verify_note_signature

ED25519 = 0x01  # a log's own signature over the note text
COSIGNATURE_V1 = 0x04  # a witness's timestamped Ed25519 cosignature
DASH = "\u2014"
MAX_SIGNATURES = 64  # the spec asks verifiers to accept at least 16
MAX_TIMESTAMP = 2**63 - 1
_DECIMAL = re.compile(r"0|[1-9][0-9]{0,18}")


class NoteError(ValueError):
    """Text that is not a well-formed note, key or checkpoint; says what is wrong."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise NoteError(f"{what} is not base64") from None


def decimal(text: str, what: str) -> int:
    """An ASCII decimal with no leading zeroes, as sizes and times are written."""
    if not _DECIMAL.fullmatch(text):
        raise NoteError(f"{what} must be a decimal number without leading zeroes")
    return int(text)


def _check_name(name: str) -> None:
    if not name or any(c.isspace() or c == "+" for c in name):
        raise NoteError("a key name must be non-empty, without spaces or '+'")


def key_id(name: str, kind: int, public_key: bytes) -> bytes:
    """SHA-256(name || 0x0A || type || public key)[:4], the signed-note key ID."""
    return hashlib.sha256(
        name.encode("utf-8") + b"\n" + bytes([kind]) + public_key
    ).digest()[:4]


@dataclass(frozen=True)
class Verifier:
    """A named Ed25519 key of one signature type: a log's (0x01) or a witness's
    (0x04). Its text form is the vkey `name+keyid+base64(type || key)`."""

    name: str
    kind: int
    public_key: bytes

    def __post_init__(self) -> None:
        _check_name(self.name)
        if self.kind not in (ED25519, COSIGNATURE_V1):
            raise NoteError(f"signature type {self.kind:#04x} is not supported")
        if len(self.public_key) != 32:
            raise NoteError("an Ed25519 public key is 32 bytes")

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.kind, self.public_key)

    @property
    def vkey(self) -> str:
        raw = bytes([self.kind]) + self.public_key
        return f"{self.name}+{self.key_id.hex()}+{_b64(raw)}"

    def __str__(self) -> str:
        return self.vkey


def parse_vkey(text: str) -> Verifier:
    """Reads a vkey; NoteError names what is wrong with it."""
    # The name holds no '+', so the first two '+' split it; base64 may hold more.
    parts = text.strip().split("+", 2)
    if len(parts) != 3 or not re.fullmatch(r"[0-9a-f]{8}", parts[1]):
        raise NoteError("a verifier key reads name+8 hex digits+base64 key")
    name, hex_id, material = parts
    raw = _unb64(material, "the key material")
    if len(raw) != 33:
        raise NoteError("the key material must be a type byte and a 32-byte key")
    verifier = Verifier(name, raw[0], raw[1:])
    if verifier.key_id.hex() != hex_id:
        raise NoteError(f"key ID {hex_id} does not match the name and key")
    return verifier


def witness_verifier(name: str, private_key: Ed25519PrivateKey) -> Verifier:
    return Verifier(name, COSIGNATURE_V1, public_key_bytes(private_key))


def log_verifier(origin: str, public_key: bytes) -> Verifier:
    return Verifier(origin, ED25519, public_key)


@dataclass(frozen=True)
class Signature:
    """One signature line: the key name, its 4-byte key ID and what follows it."""

    name: str
    key_id: bytes
    signature: bytes

    @property
    def line(self) -> str:
        return f"{DASH} {self.name} {_b64(self.key_id + self.signature)}\n"


def parse_signature_line(line: str) -> Signature:
    """Reads `— name base64(keyid || signature)` (without its newline)."""
    if not line.startswith(DASH + " "):
        raise NoteError("a signature line starts with an em dash and a space")
    parts = line[2:].split(" ")
    if len(parts) != 2:
        raise NoteError("a signature line is: em dash, name, base64 signature")
    name, blob = parts
    _check_name(name)
    raw = _unb64(blob, "a signature")
    if len(raw) < 5:
        raise NoteError("a signature holds a key ID and at least one byte")
    return Signature(name, raw[:4], raw[4:])


def split_note(text: str) -> tuple[str, list[Signature]]:
    """The text of a signed note and its signatures (the text ends at the last
    blank line)."""
    if any(ord(c) < 0x20 and c != "\n" for c in text):
        raise NoteError("a note holds no control characters but newlines")
    split = text.rfind("\n\n")
    if split < 0 or not text.endswith("\n"):
        raise NoteError("a signed note is text, a blank line, signature lines")
    body, block = text[: split + 1], text[split + 2 :]
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"more than {MAX_SIGNATURES} signatures")
    return body, [parse_signature_line(line) for line in lines]


def signature_lines(text: str) -> list[Signature]:
    """Reads a block of signature lines, as a witness answers them."""
    if not text.endswith("\n") or any(ord(c) < 0x20 and c != "\n" for c in text):
        raise NoteError("signature lines end in a newline and hold no control text")
    lines = text[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"more than {MAX_SIGNATURES} signatures")
    return [parse_signature_line(line) for line in lines]


@dataclass(frozen=True)
class CheckpointBody:
    """The first three lines of a tlog-checkpoint note text."""

    origin: str
    tree_size: int
    root_hash: bytes


def parse_checkpoint_body(body: str) -> CheckpointBody:
    """Reads origin, tree size and root hash; extension lines must be non-empty."""
    if not body.endswith("\n"):
        raise NoteError("a checkpoint text ends with a newline")
    lines = body[:-1].split("\n")
    if len(lines) < 3 or any(not line for line in lines):
        raise NoteError("a checkpoint is origin, size, root hash: non-empty lines")
    root = _unb64(lines[2], "the root hash")
    if len(root) != 32 or _b64(root) != lines[2]:
        raise NoteError("the root hash is the base64 of 32 bytes")
    return CheckpointBody(lines[0], decimal(lines[1], "the tree size"), root)


def cosignature_message(body: str, timestamp: int) -> bytes:
    """What a cosignature/v1 signs: a header line, a time line, the note text."""
    return f"cosignature/v1\ntime {timestamp}\n{body}".encode()


def cosign(
    private_key: Ed25519PrivateKey, name: str, body: str, timestamp: int
) -> Signature:
    """A witness's cosignature on a checkpoint text at a POSIX time."""
    if not 0 <= timestamp <= MAX_TIMESTAMP:
        raise NoteError("a cosignature time is between 0 and 2**63 - 1")
    signed = private_key.sign(cosignature_message(body, timestamp))
    verifier = witness_verifier(name, private_key)
    return Signature(name, verifier.key_id, timestamp.to_bytes(8, "big") + signed)


def matches(signature: Signature, verifier: Verifier) -> bool:
    """The line claims to be by this key (name and key ID both match)."""
    return signature.name == verifier.name and signature.key_id == verifier.key_id


def cosigned_at(body: str, signature: Signature, verifier: Verifier) -> int | None:
    """The time of a valid cosignature by `verifier` on `body`, else None."""
    if verifier.kind != COSIGNATURE_V1 or not matches(signature, verifier):
        return None
    if len(signature.signature) != 72:
        return None
    timestamp = int.from_bytes(signature.signature[:8], "big")
    if timestamp > MAX_TIMESTAMP:
        return None
    message = cosignature_message(body, timestamp)
    ok = verify_note_signature(message, signature.signature[8:], verifier.public_key)
    return timestamp if ok else None


def signed_by(body: str, signature: Signature, verifier: Verifier) -> bool:
    """A valid plain Ed25519 note signature by `verifier` on `body`."""
    if verifier.kind != ED25519 or not matches(signature, verifier):
        return False
    return verify_note_signature(
        body.encode("utf-8"), signature.signature, verifier.public_key
    )
