"""Real witnesses for tests: the witness app under uvicorn in a thread (fast to start
and stop), or `jaga witness serve` in a process of its own, as an operator runs it."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from infrastructure.audit.checkpoint import (
    load_or_create_signing_key,
    public_key_bytes,
)
from infrastructure.audit.note import Verifier, log_verifier, witness_verifier
from infrastructure.audit.witness import Witness, WitnessState
from infrastructure.bench.server import Server, free_port
from interfaces.witness.app import create_witness_app


def log_vkey(signing_key_file: Path, origin: str) -> Verifier:
    key = load_or_create_signing_key(signing_key_file)
    return log_verifier(origin, public_key_bytes(key))


class ThreadedWitness:
    """One witness on 127.0.0.1, its key and state in `folder`; stop and start it
    again on the same port and state."""

    def __init__(self, name: str, folder: Path, logs: list[Verifier]) -> None:
        self.name = name
        self.folder = folder
        self.logs = logs
        self.key = load_or_create_signing_key(folder / f"{name.replace('/', '_')}.key")
        self.verifier = witness_verifier(name, self.key)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.state_file = folder / f"{name.replace('/', '_')}.sqlite3"
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def witness(self) -> Witness:
        return Witness(self.name, self.key, self.logs, WitnessState(self.state_file))

    @property
    def entry(self) -> str:
        """Its `JAGA_WITNESSES` entry."""
        return f"{self.verifier.vkey} {self.url}"

    def start(self) -> ThreadedWitness:
        config = uvicorn.Config(
            create_witness_app(self.witness),
            host="127.0.0.1",
            port=self.port,
            log_config=None,
            access_log=False,
            lifespan="off",
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError(f"witness {self.name} did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
        self._server = self._thread = None

    def latest(self, origin: str) -> str:
        answer = httpx.get(f"{self.url}/checkpoint", params={"origin": origin})
        answer.raise_for_status()
        return answer.text

    def refusals(self, origin: str) -> list[dict[str, Any]]:
        answer = httpx.get(f"{self.url}/refusals", params={"origin": origin})
        items: list[dict[str, Any]] = answer.json()["items"]
        return items


def witness_process(
    name: str, folder: Path, logs: list[Verifier], log_file: Path | None = None
) -> tuple[Server, Verifier, str]:
    """`jaga witness serve` in its own process: (server to enter, its key, URL)."""
    key_file = folder / f"{name.replace('/', '_')}.key"
    key: Ed25519PrivateKey = load_or_create_signing_key(key_file)
    port = free_port()
    command = [
        sys.executable,
        "-c",
        "from interfaces.cli.main import app; app()",
        "witness",
        "serve",
        "--name",
        name,
        "--key-file",
        str(key_file),
        "--state",
        str(folder / f"{name.replace('/', '_')}.sqlite3"),
        "--port",
        str(port),
        *(x for log in logs for x in ("--log", log.vkey)),
    ]
    server = Server(command, port, "/healthz", log=log_file)
    return server, witness_verifier(name, key), f"http://127.0.0.1:{port}"
