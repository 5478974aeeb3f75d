"""Drill: clients that send a large Content-Length and then a byte now and then.
Without a key they are refused before their body; with one they wait for it without
a write slot and are answered 408 at the deadline. Meanwhile writes and sign-in
answer at their usual pace."""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

import httpx
import pytest

from tests.drills.conftest import Served
from tests.drills.harness import bearer, counts, recently
from tests.drills.scenario import guarded_site

pytestmark = pytest.mark.drill

SLOW = 24  # more than the server's 16 write slots
BODY_SECONDS = 10.0  # the server's deadline for a whole body (interfaces/http/intake)


def _open_slow(base_url: str, secret: str | None) -> socket.socket:
    """A batch request whose headers promise 1 MB and whose body sends one byte."""
    parts = urlsplit(base_url)
    conn = socket.create_connection((parts.hostname, parts.port), timeout=30)
    auth = f"Authorization: Bearer {secret}\r\n" if secret else ""
    conn.sendall(
        (
            f"POST /api/v1/batch HTTP/1.1\r\nHost: {parts.netloc}\r\n{auth}"
            "Content-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{"
        ).encode()
    )
    return conn


def _status(conn: socket.socket) -> int | None:
    """The status line's code, or None when the connection closed without one."""
    head = b""
    while b"\r\n" not in head:
        chunk = conn.recv(1024)
        if not chunk:
            return None
        head += chunk
    return int(head.split(b" ", 2)[1])


def test_slow_bodies_hold_no_write_slot_and_end_in_401_or_408(served: Served) -> None:
    site = guarded_site(served.base_url, served.keys["ops"], people=SLOW)
    tally = counts(f"slow bodies [{served.store}]")
    started = time.monotonic()
    anonymous = [_open_slow(served.base_url, None) for _ in range(SLOW)]
    keyed = [_open_slow(served.base_url, served.keys["field"]) for _ in range(SLOW)]
    refused = [_status(c) for c in anonymous]
    assert refused == [401] * SLOW
    assert time.monotonic() - started < 5  # before any body arrived
    slowest = 0.0
    with httpx.Client(base_url=served.base_url, timeout=30) as c:
        for person in site["personnel"]:
            t = time.monotonic()
            reply = c.post(
                f"/api/v1/sites/{site['site_id']}/check-ins",
                json={
                    "personnel_id": person,
                    "method": "qr",
                    "occurred_at": recently(),
                },
                headers=bearer(served.keys["field"]),
            )
            slowest = max(slowest, time.monotonic() - t)
            tally.add_status(reply.status_code)
            assert reply.status_code == 201, reply.text
        t = time.monotonic()
        signed = c.post(
            "/sign-in",
            data={"key": served.keys["ops"], "next": "/"},
            headers={"Origin": served.base_url},
        )
        slowest = max(slowest, time.monotonic() - t)
        tally.add_status(signed.status_code)
        assert signed.status_code == 303, signed.text
    assert slowest < 3, f"a write waited {slowest:.1f} s behind slow bodies"
    assert time.monotonic() - started < BODY_SECONDS  # they were all still held
    timed_out = [_status(c) for c in keyed]
    waited = time.monotonic() - started
    for conn in anonymous + keyed:
        conn.close()
    for status in refused + timed_out:
        tally.add_status(status)
    assert timed_out == [408] * SLOW
    assert BODY_SECONDS - 1 < waited < BODY_SECONDS + 5
