"""Ed25519-signed log checkpoints in the C2SP tlog-checkpoint signed-note form."""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

ROOT_SIZE = 32
PUBLIC_KEY_SIZE = 32
SIGNATURE_SIZE = 64
# C2SP signed-note signature type byte for Ed25519.
_ED25519_ALG = b"\x01"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def checkpoint_body(origin: str, tree_size: int, root_hash: bytes) -> str:
    """Return the signed text: origin, tree size and base64 root, one per line."""
    return f"{origin}\n{tree_size}\n{_b64(root_hash)}\n"


def key_id_for(name: str, public_key: bytes) -> str:
    """Return the C2SP note key hash: SHA-256(name || 0x0A || 0x01 || key)[:4], hex."""
    digest = hashlib.sha256(
        name.encode("utf-8") + b"\n" + _ED25519_ALG + public_key
    ).digest()
    return digest[:4].hex()


def signed_note(text: str, name: str, key_id: str, signature: bytes) -> str:
    """Return a C2SP signed note: text, blank line, one `— name sig` line."""
    sig = _b64(bytes.fromhex(key_id) + signature)
    return f"{text}\n\u2014 {name} {sig}\n"


def public_key_bytes(private_key: Ed25519PrivateKey) -> bytes:
    """Return the raw 32-byte public key of a signing key."""
    return private_key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )


def verify_note_signature(note: bytes, signature: bytes, public_key: bytes) -> bool:
    """Check an Ed25519 signature over note bytes with a raw public key."""
    if len(public_key) != PUBLIC_KEY_SIZE or len(signature) != SIGNATURE_SIZE:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, note)
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass(frozen=True)
class Checkpoint:
    """A signed statement of the log's size and root hash at a time."""

    origin: str
    tree_size: int
    root_hash: bytes
    timestamp: datetime
    signature: bytes
    key_id: str
    public_key: bytes

    def __post_init__(self) -> None:
        if not self.origin or "\n" in self.origin or self.origin != self.origin.strip():
            raise ValueError("origin must be one non-empty line without edge spaces")
        if self.tree_size < 0:
            raise ValueError("tree_size must be >= 0")
        if len(self.root_hash) != ROOT_SIZE:
            raise ValueError("root_hash must be 32 bytes")
        if self.timestamp.tzinfo is None:
            raise ValueError("timestamp must be timezone-aware")
        if len(self.key_id) != 8 or self.key_id.strip("0123456789abcdef"):
            raise ValueError("key_id must be 8 lowercase hex digits")

    @property
    def note(self) -> str:
        """The exact text the signature covers."""
        return checkpoint_body(self.origin, self.tree_size, self.root_hash)

    def note_text(self) -> str:
        """Return the full C2SP signed note: body, blank line, signature line."""
        return signed_note(self.note, self.origin, self.key_id, self.signature)

    def to_json(self) -> dict[str, Any]:
        """Return the API.md checkpoint fields."""
        return {
            "origin": self.origin,
            "tree_size": self.tree_size,
            "root_hash": self.root_hash.hex(),
            "timestamp": self.timestamp.isoformat(),
            "note": self.note,
            "signature": _b64(self.signature),
            "key_id": self.key_id,
            "public_key": _b64(self.public_key),
        }


def sign_checkpoint(
    private_key: Ed25519PrivateKey,
    origin: str,
    tree_size: int,
    root: bytes,
    timestamp: datetime,
) -> Checkpoint:
    """Sign the checkpoint note for this tree; the key name is the origin."""
    public_key = public_key_bytes(private_key)
    body = checkpoint_body(origin, tree_size, root)
    return Checkpoint(
        origin=origin,
        tree_size=tree_size,
        root_hash=root,
        timestamp=timestamp,
        signature=private_key.sign(body.encode("utf-8")),
        key_id=key_id_for(origin, public_key),
        public_key=public_key,
    )


def verify_checkpoint(cp: Checkpoint) -> bool:
    """Check the signature over the note and that key_id names the public key.

    This proves who signed, not that the key is trusted: compare public_key with
    the one you expect.
    """
    if key_id_for(cp.origin, cp.public_key) != cp.key_id:
        return False
    return verify_note_signature(cp.note.encode("utf-8"), cp.signature, cp.public_key)


def checkpoint_from_json(d: dict[str, Any]) -> Checkpoint:
    """Parse the API.md checkpoint fields; ValueError when malformed."""
    try:
        tree_size = d["tree_size"]
        if not isinstance(tree_size, int) or isinstance(tree_size, bool):
            raise ValueError("tree_size must be an integer")
        cp = Checkpoint(
            origin=str(d["origin"]),
            tree_size=tree_size,
            root_hash=bytes.fromhex(d["root_hash"]),
            timestamp=datetime.fromisoformat(d["timestamp"]),
            signature=_unb64(d["signature"]),
            key_id=str(d["key_id"]),
            public_key=_unb64(d["public_key"]),
        )
    except (KeyError, TypeError, AttributeError, binascii.Error) as exc:
        raise ValueError(f"malformed checkpoint: {exc!r}") from exc
    # The note is derived; a different one means the fields were edited.
    if "note" in d and d["note"] != cp.note:
        raise ValueError("checkpoint note does not match its fields")
    return cp


def load_signing_key(path: Path) -> Ed25519PrivateKey:
    """Load an Ed25519 private key from a PEM PKCS8 file."""
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    return key


def load_or_create_signing_key(path: Path) -> Ed25519PrivateKey:
    """Load the signing key, creating it (mode 0600) on first use."""
    if path.exists():
        return load_signing_key(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # Write aside, then link into place: link fails if another starter won the
    # race, and a reader never sees a half-written key.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(pem)
        try:
            os.link(tmp, path)
        except FileExistsError:
            return load_signing_key(path)
    finally:
        tmp.unlink(missing_ok=True)
    return key
