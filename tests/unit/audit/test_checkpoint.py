"""Checkpoints: C2SP note bytes, Ed25519 signatures, JSON form and key files."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import stat
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from infrastructure.audit.checkpoint import (
    Checkpoint,
    checkpoint_from_json,
    key_id_for,
    load_or_create_signing_key,
    load_signing_key,
    public_key_bytes,
    sign_checkpoint,
    signed_note,
    verify_checkpoint,
)

ORIGIN = "jaga.example/jatim-2024"
# RFC 6962 root of the eight reference leaves (transparency-dev/merkle testonly).
ROOT = bytes.fromhex("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")
WHEN = datetime(2024, 2, 14, 6, 30, tzinfo=UTC)
KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))

# golang.org/x/mod/sumdb/note's documented example: signer key, text and note.
GO_SIGNER_KEY = (
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
)
GO_VERIFIER_KEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_NOTE = (
    GO_TEXT
    + "\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1"
    "FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)


def make() -> Checkpoint:
    return sign_checkpoint(KEY, ORIGIN, 8, ROOT, WHEN)


def test_note_is_exactly_origin_size_and_base64_root() -> None:
    cp = make()
    expected = (
        b"jaga.example/jatim-2024\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n"
    )
    assert base64.b64decode(expected.split(b"\n")[2]) == ROOT
    assert cp.note.encode() == expected


def test_signature_round_trips_and_verifies_with_plain_cryptography() -> None:
    cp = make()
    assert verify_checkpoint(cp)
    assert len(cp.signature) == 64
    Ed25519PublicKey.from_public_bytes(cp.public_key).verify(
        cp.signature, cp.note.encode()
    )
    assert cp.public_key == public_key_bytes(KEY)


def test_flipped_byte_in_note_fails_plain_verification() -> None:
    cp = make()
    note = bytearray(cp.note.encode())
    pub = Ed25519PublicKey.from_public_bytes(cp.public_key)
    for i in range(len(note)):
        tampered = bytearray(note)
        tampered[i] ^= 0x01
        with pytest.raises(InvalidSignature):
            pub.verify(cp.signature, bytes(tampered))


def test_flipped_signature_byte_is_rejected() -> None:
    cp = make()
    for i in range(len(cp.signature)):
        sig = bytearray(cp.signature)
        sig[i] ^= 0x80
        assert not verify_checkpoint(dataclasses.replace(cp, signature=bytes(sig)))


def test_edited_fields_or_foreign_key_are_rejected() -> None:
    cp = make()
    other = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
    other_pub = public_key_bytes(other)
    for bad in [
        dataclasses.replace(cp, tree_size=9),
        dataclasses.replace(cp, root_hash=bytes(32)),
        dataclasses.replace(cp, origin="jaga.example/other"),
        dataclasses.replace(cp, key_id="00000000"),
        dataclasses.replace(cp, public_key=other_pub),
        dataclasses.replace(
            cp, public_key=other_pub, key_id=key_id_for(ORIGIN, other_pub)
        ),
        dataclasses.replace(cp, signature=cp.signature[:-1]),
    ]:
        assert not verify_checkpoint(bad)


def test_timestamp_is_not_part_of_the_signed_note() -> None:
    cp = make()
    later = dataclasses.replace(cp, timestamp=WHEN + timedelta(days=1))
    assert later.note == cp.note
    assert verify_checkpoint(later)


def test_key_id_is_the_c2sp_note_key_hash() -> None:
    cp = make()
    digest = hashlib.sha256(ORIGIN.encode() + b"\n\x01" + cp.public_key).digest()
    assert cp.key_id == digest[:4].hex()


def test_signed_note_matches_go_sumdb_note_example_byte_for_byte() -> None:
    seed = base64.b64decode(GO_SIGNER_KEY.split("+", 4)[4])[1:]
    pub = base64.b64decode(GO_VERIFIER_KEY.split("+", 2)[2])[1:]
    key = Ed25519PrivateKey.from_private_bytes(seed)
    assert public_key_bytes(key) == pub
    key_id = key_id_for("PeterNeumann", pub)
    assert key_id == "c74f20a3"
    sig = key.sign(GO_TEXT.encode())
    assert signed_note(GO_TEXT, "PeterNeumann", key_id, sig) == GO_NOTE


def test_note_text_is_body_blank_line_and_signature_line() -> None:
    cp = make()
    text = cp.note_text()
    body, sig_line = text.split("\n\n")
    assert body + "\n" == cp.note
    assert sig_line.endswith("\n")
    dash, name, blob = sig_line.rstrip("\n").split(" ")
    assert dash == "\u2014"
    assert name == ORIGIN
    raw = base64.b64decode(blob)
    assert raw[:4].hex() == cp.key_id
    assert raw[4:] == cp.signature


def test_json_has_api_fields_and_round_trips() -> None:
    cp = make()
    d = cp.to_json()
    assert d == {
        "origin": ORIGIN,
        "tree_size": 8,
        "root_hash": ROOT.hex(),
        "timestamp": "2024-02-14T06:30:00+00:00",
        "note": cp.note,
        "signature": base64.b64encode(cp.signature).decode(),
        "key_id": cp.key_id,
        "public_key": base64.b64encode(public_key_bytes(KEY)).decode(),
    }
    assert len(base64.b64decode(d["public_key"])) == 32
    back = checkpoint_from_json(d)
    assert back == cp
    assert verify_checkpoint(back)


def test_json_with_edited_note_or_bad_fields_is_refused() -> None:
    d = make().to_json()
    with pytest.raises(ValueError):
        checkpoint_from_json({**d, "note": d["note"].replace("\n8\n", "\n9\n")})
    for broken in [
        {k: v for k, v in d.items() if k != "signature"},
        {**d, "root_hash": "zz"},
        {**d, "root_hash": "00"},
        {**d, "signature": "not base64!"},
        {**d, "tree_size": "8"},
        {**d, "tree_size": -1},
        {**d, "timestamp": "2024-02-14T06:30:00"},
        {**d, "timestamp": 5},
        {**d, "key_id": "c74f20"},
    ]:
        with pytest.raises(ValueError):
            checkpoint_from_json(broken)


def test_timezone_is_kept_and_naive_times_refused() -> None:
    wib = timezone(timedelta(hours=7))
    cp = sign_checkpoint(
        KEY, ORIGIN, 0, hashlib.sha256(b"").digest(), WHEN.astimezone(wib)
    )
    assert checkpoint_from_json(cp.to_json()).timestamp == WHEN
    with pytest.raises(ValueError):
        sign_checkpoint(KEY, ORIGIN, 1, ROOT, datetime(2024, 2, 14))
    with pytest.raises(ValueError):
        sign_checkpoint(KEY, "two\nlines", 1, ROOT, WHEN)


def test_signing_key_is_created_once_with_private_mode(tmp_path: Path) -> None:
    path = tmp_path / "var" / "keys" / "signing.key"
    key = load_or_create_signing_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    again = load_or_create_signing_key(path)
    assert public_key_bytes(again) == public_key_bytes(key)
    assert public_key_bytes(load_signing_key(path)) == public_key_bytes(key)
    assert [p.name for p in path.parent.iterdir()] == ["signing.key"]


def test_non_ed25519_key_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ec.key"
    path.write_bytes(
        ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    with pytest.raises(ValueError):
        load_signing_key(path)
