"""The drills' tools: the real server in a subprocess, keys, a client that tells
"no answer" from an answer, and the log's own account of what it holds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from infrastructure.bench.server import Server, free_port, jaga_serve_command
from infrastructure.keys import KeyStore
from infrastructure.settings import Settings
from infrastructure.views.rebuild import contents, discard, rebuild
from infrastructure.views.runner import lag_of
from infrastructure.views.store import ViewStore
from infrastructure.wiring import open_app

CLI = "from interfaces.cli.main import app; app()"


# --- the counts every drill reports ---------------------------------------------------


@dataclass
class Counts:
    """What one drill did and what the log holds afterwards."""

    drill: str
    acknowledged: int = 0  # writes answered 201
    found: int = 0  # of those, in the log
    duplicated: int = 0  # extra copies of any write in the log
    lost: int = 0  # answered 201 but not in the log
    unanswered: int = 0  # writes that got no answer (connection cut)
    requests: int = 0
    server_errors: int = 0  # 5xx other than 503
    unavailable: int = 0  # 503 answers (the store was down)
    seconds: float = 0.0
    recovery: float = 0.0  # longest wait for a 201 after the fault was undone
    note: str = ""

    def add_status(self, status: int | None) -> None:
        self.requests += 1
        if status is not None and status >= 500 and status != 503:
            self.server_errors += 1
        if status == 503:
            self.unavailable += 1


REPORT: dict[str, Counts] = {}


def counts(drill: str) -> Counts:
    """The drill's row of the table, made on first use."""
    return REPORT.setdefault(drill, Counts(drill))


def table() -> str:
    head = (
        f"{'drill':<44} {'acked':>6} {'found':>6} {'dup':>4} {'lost':>5} "
        f"{'no-ans':>6} {'reqs':>6} {'503':>5} {'5xx':>4} {'recover':>7} {'s':>6}"
    )
    lines = [head, "-" * len(head)]
    for c in REPORT.values():
        lines.append(
            f"{c.drill:<44} {c.acknowledged:>6} {c.found:>6} "
            f"{c.duplicated:>4} {c.lost:>5} {c.unanswered:>6} "
            f"{c.requests:>6} {c.unavailable:>5} {c.server_errors:>4} "
            f"{c.recovery:>7.1f} {c.seconds:>6.1f}  {c.note}".rstrip()
        )
    return "\n".join(lines)


# --- the server -----------------------------------------------------------------------


class JagaServer:
    """`jaga serve` on one store, in a subprocess that a drill may kill -9."""

    def __init__(self, url: str, folder: Path, port: int | None = None) -> None:
        self.url = url
        self.folder = folder
        self.port = port or free_port()
        self.log = folder / "server.log"
        self.env = {
            "JAGA_DATABASE_URL": url,
            "JAGA_SIGNING_KEY_FILE": str(folder / "signing.key"),
            "JAGA_ENV": "prod",
            "JAGA_LOG_ORIGIN": "drills.jaga/test",
        }
        self.server: Server | None = None
        self.starts = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> JagaServer:
        self.server = Server(
            jaga_serve_command(self.port),
            self.port,
            "/healthz",
            self.env,
            self.log,
            every=5.0,
        ).__enter__()
        self.starts += 1
        return self

    def kill(self) -> None:
        """SIGKILL: no shutdown handler runs, open transactions die with it."""
        assert self.server is not None and self.server.proc is not None
        os.kill(self.server.proc.pid, signal.SIGKILL)
        self.server.proc.wait()
        self.server.__exit__()
        self.server = None

    def stop(self) -> None:
        if self.server is not None:
            self.server.__exit__()
            self.server = None

    def jaga(
        self, *args: str, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        """A `jaga` command on this server's store."""
        return subprocess.run(
            [sys.executable, "-c", CLI, *args],
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def make_key(url: str, role: str, *scope: str) -> tuple[str, str]:
    """(key id, secret), made the way `jaga keys create` makes them."""
    jaga = open_app(Settings(database_url=url))
    try:
        key, secret = KeyStore(jaga.recorder).create(
            role, f"drill {role}", list(scope) or None
        )
    finally:
        jaga.close()
    return key.key_id, secret


def revoke_key(url: str, key_id: str) -> None:
    jaga = open_app(Settings(database_url=url))
    try:
        KeyStore(jaga.recorder).revoke(key_id)
    finally:
        jaga.close()


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def recently(minutes: float = 1.0) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes)).isoformat()


# --- writes and their fate ------------------------------------------------------------


@dataclass
class Sent:
    """One write: its key, and the answer if there was one."""

    path: str
    body: dict[str, Any]
    key: str = field(default_factory=lambda: uuid.uuid4().hex)
    status: int | None = None  # None: no answer
    answer: Any = None


async def post(client: httpx.AsyncClient, sent: Sent, tally: Counts) -> Sent:
    """Sends the write once; a cut connection leaves `status` None."""
    try:
        reply = await client.post(
            sent.path, json=sent.body, headers={"Idempotency-Key": sent.key}
        )
    except (TimeoutError, httpx.TransportError):
        sent.status, sent.answer = None, None
        tally.add_status(None)
        return sent
    sent.status = reply.status_code
    try:
        sent.answer = reply.json()
    except ValueError:
        sent.answer = reply.text
    tally.add_status(reply.status_code)
    if reply.status_code == 503 and "retry-after" not in reply.headers:
        tally.server_errors += 1  # a 503 must say when to come back
    return sent


def client(
    base_url: str, secret: str, connections: int = 64, timeout: float = 30.0
) -> httpx.AsyncClient:
    limits = httpx.Limits(
        max_connections=connections, max_keepalive_connections=connections
    )
    return httpx.AsyncClient(
        base_url=base_url, headers=bearer(secret), limits=limits, timeout=timeout
    )


def log_by_key(
    url: str,
) -> tuple[dict[str, set[str]], dict[str, set[str]], int, list[int]]:
    """From the stored log: the requests (correlation ids) and event ids of each
    idempotency key, the number of events, and their positions."""
    jaga = open_app(Settings(database_url=url))
    requests: dict[str, set[str]] = defaultdict(set)
    events: dict[str, set[str]] = defaultdict(set)
    positions: list[int] = []
    try:
        after = 0
        while batch := jaga.records(after=after, limit=1000):
            for r in batch:
                positions.append(r["position"])
                if r["idempotency_key"]:
                    requests[r["idempotency_key"]].add(r["correlation_id"])
                    events[r["idempotency_key"]].add(r["event_id"])
            after = batch[-1]["position"]
    finally:
        jaga.close()
    return requests, events, len(positions), positions


def account(url: str, writes: list[Sent], tally: Counts) -> None:
    """Holds every write against the log: acknowledged ones are there exactly once
    with the event id they were answered with; any other is there at most once."""
    requests, events, _, positions = log_by_key(url)
    assert positions == list(range(1, len(positions) + 1)), "positions have gaps"
    for w in writes:
        copies = len(requests.get(w.key, ()))
        tally.duplicated += max(0, copies - 1)
        if w.status == 201:
            tally.acknowledged += 1
            if copies and w.answer["event_id"] in events[w.key]:
                tally.found += 1
            else:
                tally.lost += 1
        elif w.status is None:
            tally.unanswered += 1


# --- the views and the audit log ------------------------------------------------------


def wait_caught_up(url: str, timeout: float = 60.0) -> int:
    """Waits until the server's views reach the end of the log; their position."""
    jaga = open_app(Settings(database_url=url))
    try:
        store = ViewStore(jaga)
        deadline = time.monotonic() + timeout
        while True:
            lag = lag_of(store)
            if lag["positions"] == 0:
                return lag["position"]
            if time.monotonic() > deadline:
                raise AssertionError(f"views still behind after {timeout} s: {lag}")
            time.sleep(0.1)
    finally:
        jaga.close()


def views_equal_a_fresh_rebuild(url: str) -> bool:
    """Builds every view again from the log, up to the live views' position, and
    compares them row for row."""
    jaga = open_app(Settings(database_url=url))
    try:
        store = ViewStore(jaga)
        position = store.position()
        built = rebuild(store, swap=False, until=position)
        try:
            return contents(store, built.generations) == contents(store)
        finally:
            discard(store, built)
    finally:
        jaga.close()
