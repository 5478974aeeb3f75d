"""Drill: a witness that takes connections and never answers. `jaga serve` keeps
answering writes and checkpoint reads at full speed while its timer waits on that
witness, the other witness cosigns, and the silent one is shown with its error."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from infrastructure.audit.checkpoint import load_or_create_signing_key
from infrastructure.audit.note import witness_verifier
from tests.drills.harness import JagaServer, make_key
from tests.witnesses import log_vkey, witness_process

pytestmark = pytest.mark.drill

ORIGIN = "drills.jaga/test"  # the drill server's origin (tests/drills/harness.py)


@pytest.fixture
def silent(tmp_path: Path) -> Iterator[str]:
    """A witness URL whose host accepts connections and then says nothing."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def hold() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join(timeout=5)
    for conn in held:
        conn.close()
    listener.close()


def test_a_silent_witness_delays_no_write_and_is_shown(
    store_url: str, tmp_path: Path, silent: str
) -> None:
    logs = [log_vkey(tmp_path / "signing.key", ORIGIN)]
    server, honest_key, honest_url = witness_process(
        "ugm.example/saksi", tmp_path, logs, tmp_path / "witness.log"
    )
    mute_key = witness_verifier(
        "kpu.example/saksi", load_or_create_signing_key(tmp_path / "mute.key")
    )
    jaga = JagaServer(store_url, tmp_path)
    jaga.env["JAGA_WITNESSES"] = (
        f"{honest_key.vkey} {honest_url}; {mute_key.vkey} {silent}"
    )
    assert jaga.jaga("demo").returncode == 0
    ops = {"Authorization": f"Bearer {make_key(store_url, 'ops')[1]}"}
    auditor = {"Authorization": f"Bearer {make_key(store_url, 'auditor')[1]}"}
    with server:
        jaga.start()
        try:
            with httpx.Client(base_url=jaga.base_url, timeout=30) as client:
                started = time.monotonic()
                first = client.get("/api/v1/audit/checkpoint", headers=auditor)
                assert first.status_code == 200
                assert time.monotonic() - started < 2  # the read wakes, never waits
                slowest = 0.0
                for i in range(20):  # meanwhile the timer waits on the silent one
                    began = time.monotonic()
                    wrote = client.post(
                        "/api/v1/sites/kpu-kab-jember/check-ins",
                        headers=ops,
                        json={
                            "personnel_id": f"jbr-0{i % 6 + 1}",
                            "method": "qr",
                            "occurred_at": "2024-02-14T07:00:00+07:00",
                        },
                    )
                    assert wrote.status_code == 201, wrote.text
                    slowest = max(slowest, time.monotonic() - began)
                assert slowest < 1.0, f"a write took {slowest:.2f} s"
                deadline = time.monotonic() + 30
                while True:
                    answer = client.get("/api/v1/audit/checkpoint", headers=auditor)
                    status = {w["name"]: w for w in answer.json()["witnesses"]}
                    if status["kpu.example/saksi"]["error"]:
                        break
                    assert time.monotonic() < deadline, status
                    time.sleep(0.5)
                assert status["kpu.example/saksi"]["error"].startswith("unreachable")
                assert status["ugm.example/saksi"]["error"] is None
                assert status["ugm.example/saksi"]["cosigned_size"] >= 170
        finally:
            jaga.stop()
