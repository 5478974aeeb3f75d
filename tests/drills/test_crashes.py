"""Crashes: the server killed with SIGKILL in the middle of write bursts from
concurrent clients, and the projection runner killed in the middle of its batches.
Nothing answered 201 is lost, nothing is written twice, the views equal a fresh
rebuild and the audit log verifies."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from application.demo import load_demo
from infrastructure.bench.grow import grow_log
from infrastructure.settings import Settings
from infrastructure.views.store import ViewStore
from infrastructure.wiring import open_app
from tests.drills.conftest import Served, serve, slow_drill
from tests.drills.harness import (
    CLI,
    Counts,
    JagaServer,
    Sent,
    account,
    client,
    counts,
    log_by_key,
    post,
    recently,
    views_equal_a_fresh_rebuild,
    wait_caught_up,
)
from tests.drills.scenario import guarded_site

pytestmark = [pytest.mark.drill, slow_drill]

KILLS = 8
SEED = int(os.environ.get("JAGA_DRILL_SEED", "2024"))


def _writes(site: dict[str, Any], rng: random.Random, n: int) -> list[Sent]:
    """Check-ins, incident reports, and alert-level changes that all meet on the
    site's own aggregate."""
    s = site["site_id"]
    out = []
    for i in range(n):
        if i % 10 == 0:
            out.append(
                Sent(
                    f"/api/v1/sites/{s}/alert-level",
                    {
                        "level": rng.choice(["normal", "waspada", "siaga"]),
                        "reason": f"drill {i}",
                        "occurred_at": recently(),
                    },
                )
            )
        elif i % 10 == 1:
            out.append(
                Sent(
                    "/api/v1/incidents",
                    {
                        "category": "suspicious_activity",
                        "severity": 2,
                        "description": f"orang tak dikenal {i}",
                        "site_id": s,
                        "occurred_at": recently(),
                    },
                )
            )
        else:
            out.append(
                Sent(
                    f"/api/v1/sites/{s}/check-ins",
                    {
                        "personnel_id": rng.choice(site["personnel"]),
                        "method": "qr",
                        "occurred_at": recently(),
                    },
                )
            )
    return out


async def _burst(
    server: JagaServer,
    secret: str,
    writes: list[Sent],
    kill_after: float,
    tally: Counts,
) -> list[Sent]:
    """Sends the writes over 16 connections and kills the server after
    `kill_after` seconds; the writes that were sent."""
    pending = iter(writes)
    sent: list[Sent] = []
    killed = asyncio.Event()
    async with client(server.base_url, secret, connections=16, timeout=20) as c:

        async def worker() -> None:
            for w in pending:
                if killed.is_set():
                    return
                sent.append(w)
                await post(c, w, tally)

        async def killer() -> None:
            await asyncio.sleep(kill_after)
            server.kill()
            killed.set()

        await asyncio.gather(killer(), *(worker() for _ in range(16)))
    return sent


def _checkpoint(served: Served) -> None:
    reply = httpx.get(
        f"{served.base_url}/api/v1/audit/checkpoint",
        timeout=30,
        headers={"Authorization": f"Bearer {served.keys['auditor']}"},
    )
    assert reply.status_code == 200, reply.text


def test_kill_9_mid_burst_loses_no_acknowledged_write_and_duplicates_none(
    pg_database: Any, tmp_path: Path
) -> None:
    served = serve("postgres", tmp_path, pg_database)
    tally = counts(f"kill -9 mid-burst x{KILLS} [postgres]")
    rng = random.Random(SEED)
    started = time.monotonic()
    everything: list[Sent] = []
    committed_unanswered = 0
    try:
        site = guarded_site(served.base_url, served.keys["ops"], people=50)
        for _ in range(KILLS):
            _checkpoint(served)
            sent = asyncio.run(
                _burst(
                    served.server,
                    served.keys["ops"],
                    _writes(site, rng, 2000),
                    rng.uniform(0.3, 2.0),
                    tally,
                )
            )
            everything += sent
            unanswered = [w for w in sent if w.status is None]
            tally.unanswered += len(unanswered)
            served.server.start()
            requests, _, _, _ = log_by_key(served.url)
            committed_unanswered += sum(1 for w in unanswered if w.key in requests)
            # The client's retry: the same Idempotency-Key, as often as it takes.
            restarted = time.monotonic()
            asyncio.run(_retry(served, unanswered, tally))
            tally.recovery = max(tally.recovery, time.monotonic() - restarted)
        _checkpoint(served)
        before = tally.unanswered
        account(served.url, everything, tally)
        tally.unanswered = before
        wait_caught_up(served.url)
        assert views_equal_a_fresh_rebuild(served.url)
        verified = served.server.jaga("verify")
        assert verified.returncode == 0, verified.stdout + verified.stderr
    finally:
        served.server.stop()
        tally.seconds += time.monotonic() - started
    tally.note = (
        f"{committed_unanswered} of the cut-off writes had committed; "
        "their retries replayed the first answer"
    )
    refused = [(w.status, str(w.answer)[:160]) for w in everything if w.status != 201]
    assert tally.acknowledged == len(everything) == tally.found, refused[:5]
    assert (tally.lost, tally.duplicated, tally.server_errors) == (0, 0, 0)


async def _retry(served: Served, writes: list[Sent], tally: Counts) -> None:
    deadline = time.monotonic() + 60
    async with client(served.base_url, served.keys["ops"], connections=8) as c:
        while pending := [w for w in writes if w.status != 201]:
            assert time.monotonic() < deadline, [w.answer for w in pending[:3]]
            await asyncio.gather(*(post(c, w, tally) for w in pending))


def test_projection_runner_killed_mid_batch_resumes_to_views_equal_a_rebuild(
    pg_database: Any, tmp_path: Path
) -> None:
    url = pg_database()
    tally = counts("projection runner kill -9 [postgres]")
    started = time.monotonic()
    jaga = open_app(Settings(database_url=url))
    try:
        load_demo(jaga)
    finally:
        jaga.close()
    grow_log(url, 6000)
    env = {
        **os.environ,
        "JAGA_DATABASE_URL": url,
        "JAGA_SIGNING_KEY_FILE": str(tmp_path / "signing.key"),
        "JAGA_ENV": "prod",
    }
    rng = random.Random(SEED)
    positions = []
    for _ in range(4):
        err = open(tmp_path / f"runner{len(positions)}.log", "wb")  # noqa: SIM115
        # Small batches: the runner must still be mid-log when it is killed.
        runner = subprocess.Popen(
            [sys.executable, "-c", CLI, "project", "--batch", "5"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
        # Killed at a random moment once it is under way.
        last = positions[-1] if positions else 0
        deadline = time.monotonic() + 120
        while _views_position(url) <= last and runner.poll() is None:
            assert time.monotonic() < deadline, "the runner made no progress"
            time.sleep(0.05)
        time.sleep(rng.uniform(0.0, 0.3))
        ended = runner.poll()
        if ended is None:
            runner.send_signal(signal.SIGKILL)
        runner.wait()
        err.close()
        log = (tmp_path / f"runner{len(positions)}.log").read_text()
        assert ended is None, f"the runner stopped by itself ({ended}): {log[-800:]}"
        positions.append(_views_position(url))
    finished = subprocess.run(
        [sys.executable, "-c", CLI, "project"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert finished.returncode == 0, finished.stderr
    tally.seconds = time.monotonic() - started
    tally.note = (
        f"6000 events; killed at view positions {positions}; "
        "resumed to 6000, equal to a fresh rebuild"
    )
    assert positions == sorted(positions) and 0 < positions[0] < 6000
    assert _views_position(url) == 6000
    assert views_equal_a_fresh_rebuild(url)


def _views_position(url: str) -> int:
    jaga = open_app(Settings(database_url=url))
    try:
        return ViewStore(jaga).position()
    finally:
        jaga.close()
