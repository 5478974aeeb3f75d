"""Signed notes, verifier keys and cosignatures, held to published vectors and to a
reference reading of the C2SP specifications that shares no code with Jaga."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from infrastructure.audit.checkpoint import public_key_bytes, sign_checkpoint
from infrastructure.audit.note import (
    COSIGNATURE_V1,
    ED25519,
    NoteError,
    cosign,
    cosigned_at,
    log_verifier,
    parse_checkpoint_body,
    parse_signature_line,
    parse_vkey,
    signed_by,
    split_note,
    witness_verifier,
)
from tests import c2sp_reference as ref

ROOT = bytes(range(32))
T = datetime(2024, 2, 14, 7, tzinfo=UTC)


def test_the_reference_reading_accepts_the_published_vectors() -> None:
    assert ref.open_note(ref.PETER_NOTE, [ref.PETER_VKEY])[1] == {"PeterNeumann": None}
    _, found = ref.open_note(ref.ARCHE_NOTE, [ref.ARCHE_LOG_VKEY, ref.REMORA_VKEY])
    assert found["remora.n621.de"] == 1779573024
    with pytest.raises(ref.Rejected):
        ref.open_note(
            ref.ARCHE_NOTE.replace("1432088532", "1432088533"), [ref.REMORA_VKEY]
        )


def test_published_keys_parse_to_their_name_type_and_key_id() -> None:
    peter = parse_vkey(ref.PETER_VKEY)
    assert (peter.name, peter.kind, peter.key_id.hex()) == (
        "PeterNeumann",
        ED25519,
        "c74f20a3",
    )
    remora = parse_vkey(ref.REMORA_VKEY)
    assert (remora.kind, remora.key_id.hex()) == (COSIGNATURE_V1, "da77ade7")
    assert remora.vkey == ref.REMORA_VKEY and peter.vkey == ref.PETER_VKEY


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "PeterNeumann",
        "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T",
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    ],
)
def test_a_mangled_verifier_key_is_refused(bad: str) -> None:
    with pytest.raises(NoteError):
        parse_vkey(bad)


def test_published_signatures_verify_and_a_changed_text_does_not() -> None:
    body, signatures = split_note(ref.ARCHE_NOTE)
    remora = parse_vkey(ref.REMORA_VKEY)
    log = parse_vkey(ref.ARCHE_LOG_VKEY)
    assert [cosigned_at(body, s, remora) for s in signatures] == [
        None,
        1779573024,
    ]
    assert [signed_by(body, s, log) for s in signatures] == [True, False]
    other = body.replace("1432088532", "1432088533")
    assert cosigned_at(other, signatures[1], remora) is None
    peter_body, peter_sigs = split_note(ref.PETER_NOTE)
    assert signed_by(peter_body, peter_sigs[0], parse_vkey(ref.PETER_VKEY))


def test_a_jaga_cosignature_reads_as_cosignature_v1_in_the_reference() -> None:
    log_key, witness_key = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    cp = sign_checkpoint(log_key, "jaga.example/jatim-2024", 170, ROOT, T)
    line = cosign(witness_key, "bawaslu.example/saksi", cp.note, 1707894000)
    log = log_verifier(cp.origin, public_key_bytes(log_key))
    witness = witness_verifier("bawaslu.example/saksi", witness_key)
    text, found = ref.open_note(cp.note_text() + line.line, [log.vkey, witness.vkey])
    assert text == cp.note
    assert found == {cp.origin: None, "bawaslu.example/saksi": 1707894000}
    assert ref.checkpoint_lines(text) == (cp.origin, 170, ROOT)
    assert cosigned_at(cp.note, parse_signature_line(line.line[:-1]), witness) == (
        1707894000
    )


def test_a_cosignature_binds_its_time_and_its_key_name() -> None:
    key = Ed25519PrivateKey.generate()
    body = f"jaga.example/log\n5\n{'A' * 43}=\n"
    line = cosign(key, "w.example/a", body, 100)
    witness = witness_verifier("w.example/a", key)
    later = line.signature[:7] + b"\x65" + line.signature[8:]
    assert cosigned_at(body, line, witness) == 100
    assert cosigned_at(body, type(line)(line.name, line.key_id, later), witness) is None
    renamed = witness_verifier("w.example/b", key)
    assert cosigned_at(body, line, renamed) is None


@pytest.mark.parametrize(
    "text",
    [
        "jaga.example/log\n5\nAAAA\n",
        "jaga.example/log\n05\n" + "A" * 43 + "=\n",
        "jaga.example/log\n5\n",
        "jaga.example/log\n-5\n" + "A" * 43 + "=\n",
        "\n5\n" + "A" * 43 + "=\n",
        "jaga.example/log\n5\n" + "A" * 43 + "=",
    ],
)
def test_a_malformed_checkpoint_text_is_refused(text: str) -> None:
    with pytest.raises(NoteError):
        parse_checkpoint_body(text)


@pytest.mark.parametrize(
    "note",
    [
        "text\n",
        "text\n\n\u2014 name\n",
        "text\n\n\u2014 name AAAA\n",
        "text\n\n- name AAAAAAAA\n",
        "text\r\n\n\u2014 name AAAAAAAA\n",
        "text\n\n\u2014 na+me AAAAAAAA\n",
    ],
)
def test_a_malformed_note_is_refused(note: str) -> None:
    with pytest.raises(NoteError):
        split_note(note)
