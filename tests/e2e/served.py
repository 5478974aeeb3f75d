"""A real `jaga serve` with the demo loaded, and Chromium, for browser tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

playwright_api = pytest.importorskip("playwright.sync_api")
Browser = playwright_api.Browser

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"width": 390, "height": 844}
MONITOR = {"width": 1920, "height": 1080}
JAGA = Path(sys.executable).parent / "jaga"


@dataclass
class Server:
    url: str
    keys: dict[str, str]

    def post(self, path: str, body: dict[str, Any], role: str = "ops") -> Any:
        answer = httpx.post(
            f"{self.url}/api/v1{path}",
            json=body,
            headers={"Authorization": f"Bearer {self.keys[role]}"},
            timeout=10,
        )
        assert answer.status_code == 201, answer.text
        return answer.json()

    def get(self, path: str, role: str = "ops") -> Any:
        answer = httpx.get(
            f"{self.url}/api/v1{path}",
            headers={"Authorization": f"Bearer {self.keys[role]}"},
            timeout=10,
        )
        assert answer.status_code == 200, answer.text
        return answer.json()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _key(env: dict[str, str], cwd: Path, role: str, *scope: str) -> str:
    command = [str(JAGA), "keys", "create", "--role", role, "--name", f"{role} e2e"]
    for region in scope:
        command += ["--scope", region]
    done = subprocess.run(
        command, env=env, cwd=cwd, check=True, capture_output=True, text=True
    )
    return done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Server]:
    """The demo served; a test module may add settings in its SERVER_ENV."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing and CI=true")
        pytest.skip(f"{CHROMIUM} is not installed")
    work = tmp_path_factory.mktemp("dashboard")
    env = {
        **os.environ,
        "JAGA_DATABASE_URL": f"sqlite:///{work / 'jaga.sqlite3'}",
        "JAGA_SIGNING_KEY_FILE": str(work / "signing.key"),
        "JAGA_ENV": "dev",
        **getattr(request.module, "SERVER_ENV", {}),
    }
    subprocess.run(
        [str(JAGA), "demo"], env=env, cwd=work, check=True, capture_output=True
    )
    keys = {
        "ops": _key(env, work, "ops"),
        "bawaslu": _key(env, work, "bawaslu"),
        "field-sumsel": _key(env, work, "field", "sumatera-selatan"),
    }
    port = _free_port()
    log = (work / "serve.log").open("w")
    process = subprocess.Popen(
        [str(JAGA), "serve", "--port", str(port)],
        env=env,
        cwd=work,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise AssertionError((work / "serve.log").read_text())
            time.sleep(0.2)
        yield Server(url, keys)
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield chromium
        chromium.close()
