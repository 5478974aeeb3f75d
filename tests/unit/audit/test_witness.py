"""The witness against c2sp.org/tlog-witness: it cosigns only checkpoints that extend
the last one it cosigned, answers each refusal with the spec's status, keeps the
evidence, and holds to that across restarts and concurrent requests."""

from __future__ import annotations

import base64
import hashlib
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from infrastructure.audit.checkpoint import (
    Checkpoint,
    public_key_bytes,
    sign_checkpoint,
)
from infrastructure.audit.merkle import MemoryNodeStore, consistency_proof, root
from infrastructure.audit.note import log_verifier
from infrastructure.audit.witness import Witness, WitnessState
from interfaces.witness.app import create_witness_app
from tests import c2sp_reference as ref

ORIGIN = "jaga.example/jatim-2024"
NAME = "bawaslu.example/saksi"
T = datetime(2024, 2, 14, tzinfo=UTC)


class Log:
    """A log in memory that signs checkpoints with its own key."""

    def __init__(self, key: Ed25519PrivateKey, tag: bytes = b"") -> None:
        self.key = key
        self.tree = MemoryNodeStore()
        self.tag = tag

    def grow(self, n: int) -> None:
        start = self.tree.size
        self.tree.append(
            [
                hashlib.sha256(self.tag + str(start + i).encode()).digest()
                for i in range(n)
            ]
        )

    def checkpoint(self, size: int | None = None) -> Checkpoint:
        size = self.tree.size if size is None else size
        return sign_checkpoint(self.key, ORIGIN, size, root(size, self.tree), T)

    def request(self, old: int, size: int | None = None) -> bytes:
        cp = self.checkpoint(size)
        proof = consistency_proof(old, cp.tree_size, self.tree)
        lines = "".join(base64.b64encode(h).decode() + "\n" for h in proof)
        return f"old {old}\n{lines}\n{cp.note_text()}".encode()


@pytest.fixture
def log_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def witness(tmp_path: Path, log_key: Ed25519PrivateKey) -> Witness:
    trusted = log_verifier(ORIGIN, public_key_bytes(log_key))
    return Witness(
        NAME,
        Ed25519PrivateKey.generate(),
        [trusted],
        WitnessState(tmp_path / "w.sqlite3"),
        clock=lambda: 1707894000.5,
    )


def test_first_checkpoint_is_cosigned_and_the_cosignature_reads_in_the_reference(
    witness: Witness, log_key: Ed25519PrivateKey
) -> None:
    log = Log(log_key)
    log.grow(8)
    answer = witness.add_checkpoint(log.request(0))
    assert answer.status == 200
    cp = log.checkpoint()
    vkeys = [
        witness.verifier.vkey,
        log_verifier(ORIGIN, public_key_bytes(log_key)).vkey,
    ]
    _, found = ref.open_note(cp.note_text() + answer.text, vkeys)
    assert found == {ORIGIN: None, NAME: 1707894000}


def test_a_checkpoint_that_extends_the_last_is_cosigned(
    witness: Witness, log_key: Ed25519PrivateKey
) -> None:
    log = Log(log_key)
    log.grow(5)
    assert witness.add_checkpoint(log.request(0)).status == 200
    log.grow(7)
    assert witness.add_checkpoint(log.request(5)).status == 200
    # The same checkpoint again, from its own size: cosigned again.
    assert witness.add_checkpoint(log.request(12)).status == 200
    latest = witness.latest(ORIGIN)
    assert latest is not None and latest.startswith(log.checkpoint().note)


def test_a_checkpoint_that_does_not_extend_the_last_is_refused_with_evidence(
    witness: Witness, log_key: Ed25519PrivateKey
) -> None:
    honest = Log(log_key)
    honest.grow(6)
    assert witness.add_checkpoint(honest.request(0)).status == 200
    rewritten = Log(log_key, tag=b"rewritten")  # same key, other history
    rewritten.grow(9)
    # Its own proof from 6 cannot tie its root to the root the witness holds.
    answer = witness.add_checkpoint(rewritten.request(6))
    assert answer.status == 422
    same_size = witness.add_checkpoint(rewritten.request(6, size=6))
    assert (same_size.status, same_size.text) == (409, "6\n")
    assert same_size.content_type == "text/x.tlog.size"
    kinds = sorted(r["kind"] for r in witness.refusals(ORIGIN))
    assert kinds == ["fork", "inconsistent"]
    evidence = next(r for r in witness.refusals(ORIGIN) if r["kind"] == "fork")
    # The evidence is the log's own signed checkpoint: anyone can check it.
    note = evidence["request"].split("\n\n", 1)[1]
    log_vkey = log_verifier(ORIGIN, public_key_bytes(log_key)).vkey
    assert ref.open_note(note, [log_vkey])[1] == {ORIGIN: None}
    assert witness.latest(ORIGIN).startswith(honest.checkpoint().note)  # type: ignore[union-attr]


def test_a_stale_old_size_gets_409_with_the_witness_size(
    witness: Witness, log_key: Ed25519PrivateKey
) -> None:
    log = Log(log_key)
    log.grow(4)
    witness.add_checkpoint(log.request(0))
    log.grow(3)
    answer = witness.add_checkpoint(log.request(0))
    assert (answer.status, answer.text, answer.content_type) == (
        409,
        "4\n",
        "text/x.tlog.size",
    )
    assert witness.refusals(ORIGIN) == []  # a client out of date is no evidence


def test_unknown_log_bad_signature_and_malformed_requests_get_their_statuses(
    witness: Witness, log_key: Ed25519PrivateKey
) -> None:
    log = Log(log_key)
    log.grow(3)
    stranger = Log(Ed25519PrivateKey.generate())
    stranger.grow(3)
    other_origin = log.request(0).replace(ORIGIN.encode(), b"other.example/log")
    assert witness.add_checkpoint(other_origin).status == 404
    assert witness.add_checkpoint(stranger.request(0)).status == 403
    assert (
        witness.add_checkpoint(log.request(0).replace(b"old 0", b"old 9")).status == 400
    )
    for bad in (b"", b"old 0\n", b"old 00\n\n" + log.request(0)[7:], b"\xff\xfe"):
        assert witness.add_checkpoint(bad).status == 400
    assert witness.refusals(ORIGIN) == []


def test_the_witness_keeps_its_state_across_a_restart(
    tmp_path: Path, witness: Witness, log_key: Ed25519PrivateKey
) -> None:
    log = Log(log_key)
    log.grow(10)
    witness.add_checkpoint(log.request(0))
    again = Witness(NAME, witness.key, list(witness.logs[ORIGIN]), witness.state)
    assert again.add_checkpoint(log.request(0, size=4)).status == 409
    with sqlite3.connect(tmp_path / "w.sqlite3") as db, pytest.raises(sqlite3.Error):
        db.execute("UPDATE cosigned SET tree_size = 1")


def test_racing_requests_from_one_old_size_get_one_cosignature(
    witness: Witness, log_key: Ed25519PrivateKey
) -> None:
    log = Log(log_key)
    log.grow(40)
    bodies = [log.request(0, size=n) for n in range(10, 40, 3)]
    statuses: list[int] = []
    threads = [
        threading.Thread(
            target=lambda b=b: statuses.append(witness.add_checkpoint(b).status)
        )
        for b in bodies
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200] + [409] * (len(bodies) - 1)


def test_over_http_the_answers_carry_the_spec_statuses_and_types(
    witness: Witness, log_key: Ed25519PrivateKey
) -> None:
    client = TestClient(create_witness_app(witness))
    log = Log(log_key)
    log.grow(5)
    ok = client.post("/add-checkpoint", content=log.request(0))
    assert ok.status_code == 200 and ok.text.startswith(f"\u2014 {NAME} ")
    stale = client.post("/add-checkpoint", content=log.request(0))
    assert stale.status_code == 409 and stale.text == "5\n"
    assert stale.headers["content-type"] == "text/x.tlog.size"
    huge = client.post("/add-checkpoint", content=b"old 0\n" + b"A" * 70_000)
    assert huge.status_code == 413
    note = client.get("/checkpoint", params={"origin": ORIGIN})
    assert note.status_code == 200
    _, found = ref.open_note(note.text, [witness.verifier.vkey])
    assert list(found) == [NAME]
    assert (
        client.get("/checkpoint", params={"origin": "x.example/y"}).status_code == 404
    )
    assert client.get("/").json()["vkey"] == witness.verifier.vkey
    assert client.get("/refusals", params={"origin": ORIGIN}).json()["items"] == []
