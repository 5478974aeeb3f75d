"""`jaga serve --demo` beside a running server: it binds its port before anything
else, and never revokes the key the running server's users hold."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from infrastructure.bench.server import free_port

CLI = "from interfaces.cli.main import app; app()"


def _serve(folder: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "JAGA_DATABASE_URL": f"sqlite:///{folder / 'jaga.sqlite3'}",
        "JAGA_SIGNING_KEY_FILE": str(folder / "signing.key"),
        "JAGA_ENV": "dev",
        "JAGA_LANG": "en",
    }
    return subprocess.Popen(
        [sys.executable, "-c", CLI, "serve", "--demo", "--port", str(port)],
        env=env,
        cwd=folder,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


def _key_when_up(port: int, log: Path, proc: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)
    lines = log.read_text().splitlines()
    return lines[lines.index("demo ops key:") + 1]


def _works(port: int, key: str) -> bool:
    answer = httpx.get(
        f"http://127.0.0.1:{port}/api/v1/sites",
        headers={"Authorization": f"Bearer {key}"},
        timeout=10,
    )
    return answer.status_code == 200


def _role(port: int) -> str:
    answer = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=10).json()
    return str(answer["process"]["role"])


def test_demo_beside_a_running_server_fails_to_bind_and_revokes_nothing(
    tmp_path: Path,
) -> None:
    port = free_port()
    first = _serve(tmp_path, port, tmp_path / "first.log")
    others: list[subprocess.Popen[bytes]] = []
    try:
        key = _key_when_up(port, tmp_path / "first.log", first)
        assert _works(port, key)
        # The same port: refused before the log or its keys are touched.
        second = _serve(tmp_path, port, tmp_path / "second.log")
        assert second.wait(timeout=60) == 1
        said = (tmp_path / "second.log").read_text()
        assert "cannot listen on 127.0.0.1" in said
        assert "demo ops key" not in said and "serves" not in said
        assert _works(port, key)
        # Another port on the same log: it serves, with its own new key, and the
        # running server's key stays valid.
        other_port = free_port()
        third = _serve(tmp_path, other_port, tmp_path / "third.log")
        others.append(third)
        new_key = _key_when_up(other_port, tmp_path / "third.log", third)
        assert new_key != key
        assert _works(port, key) and _works(other_port, new_key)
        # One of them runs the views and the checkpoint timer; when it stops, the
        # other takes over.
        assert _role(port) == "leader" and _role(other_port) == "standby"
        first.terminate()
        first.wait(timeout=20)
        deadline = time.monotonic() + 2
        while _role(other_port) != "leader":
            assert time.monotonic() < deadline
            time.sleep(0.1)
    finally:
        for proc in [first, *others]:
            proc.terminate()
            proc.wait(timeout=20)
