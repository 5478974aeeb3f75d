"""PostgreSQL stopped and started again under a write burst, on a private cluster
this drill creates and removes (never the shared server): the server answers 503
with Retry-After while the database is down, recovers by itself, and loses nothing
it acknowledged."""

from __future__ import annotations

import asyncio
import random
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from infrastructure.bench.server import free_port
from tests.drills.conftest import ROLES, slow_drill
from tests.drills.harness import (
    Counts,
    JagaServer,
    Sent,
    account,
    client,
    counts,
    make_key,
    post,
    recently,
    views_equal_a_fresh_rebuild,
    wait_caught_up,
)
from tests.drills.scenario import guarded_site

pytestmark = [pytest.mark.drill, slow_drill]

PG_BIN = Path("/usr/lib/postgresql/15/bin")
BURST_SECONDS = 20.0
DOWN_AT, DOWN_FOR = 3.0, 10.0


class PrivateCluster:
    """A PostgreSQL 15 cluster in a temporary folder, run as the postgres user."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="jaga-drill-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        shutil.chown(self.folder, "postgres", "postgres")
        self._as_postgres(
            PG_BIN / "initdb",
            "-D",
            self.data,
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
        )

    def _as_postgres(self, *args: object) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *map(str, args)],
            check=True,
            capture_output=True,
            timeout=120,
        )

    def pg_ctl(self, action: str, *extra: str) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        self._as_postgres(
            PG_BIN / "pg_ctl",
            "-D",
            self.data,
            "-o",
            options,
            "-l",
            self.folder / "postgres.log",
            "-w",
            action,
            *extra,
        )

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def remove(self) -> None:
        try:
            self.pg_ctl("stop", "-m", "immediate")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def cluster() -> Iterator[PrivateCluster]:
    if not (PG_BIN / "initdb").exists() or shutil.which("runuser") is None:
        pytest.skip("PostgreSQL 15 binaries or runuser are missing")
    made = PrivateCluster()
    try:
        made.pg_ctl("start")
        with psycopg.connect(made.url("postgres"), autocommit=True) as conn:
            conn.execute("CREATE DATABASE jaga")
        yield made
    finally:
        made.remove()


async def _burst(
    server: JagaServer,
    secret: str,
    site: dict[str, object],
    cluster: PrivateCluster,
    tally: Counts,
) -> tuple[list[Sent], float]:
    """Writes for BURST_SECONDS over 16 connections, each retried with its own key
    until answered 201 (after Retry-After on a 503), while the database is stopped
    and started again; the writes, and how long after the start the first 201
    came."""
    rng = random.Random(15)
    people = list(site["personnel"])  # type: ignore[call-overload]
    writes: list[Sent] = []
    end = time.monotonic() + BURST_SECONDS
    back: dict[str, float] = {}

    async def writer(c: object) -> None:
        while time.monotonic() < end:
            w = Sent(
                f"/api/v1/sites/{site['site_id']}/check-ins",
                {
                    "personnel_id": rng.choice(people),
                    "method": "nfc",
                    "occurred_at": recently(),
                },
            )
            writes.append(w)
            while w.status != 201:
                await post(c, w, tally)  # type: ignore[arg-type]
                if w.status == 201 and "up" in back and "first" not in back:
                    back["first"] = time.monotonic() - back["up"]
                elif w.status == 503:
                    await asyncio.sleep(2.0)
                elif w.status != 201:
                    await asyncio.sleep(0.2)

    async def restart() -> None:
        await asyncio.sleep(DOWN_AT)
        await asyncio.to_thread(cluster.pg_ctl, "stop", "-m", "fast")
        await asyncio.sleep(DOWN_FOR)
        await asyncio.to_thread(cluster.pg_ctl, "start")
        back["up"] = time.monotonic()

    async with client(server.base_url, secret, connections=16, timeout=30) as c:
        await asyncio.gather(restart(), *(writer(c) for _ in range(16)))
    return writes, back.get("first", 0.0)


def test_database_restart_under_a_burst_answers_503_and_loses_nothing(
    cluster: PrivateCluster,
) -> None:
    url = cluster.url("jaga")
    keys = {role: make_key(url, role)[1] for role in ROLES}
    server = JagaServer(url, cluster.folder).start()
    tally = counts("PostgreSQL restart mid-burst [postgres]")
    started = time.monotonic()
    try:
        site = guarded_site(server.base_url, keys["ops"], people=40)
        writes, recovery = asyncio.run(
            _burst(server, keys["field"], site, cluster, tally)
        )
        tally.recovery = recovery
        tally.note = f"PostgreSQL down {DOWN_FOR:.0f} s (pg_ctl stop -m fast, start)"
        account(url, writes, tally)
        wait_caught_up(url)
        assert views_equal_a_fresh_rebuild(url)
        verified = server.jaga("verify")
        assert verified.returncode == 0, verified.stdout + verified.stderr
        log = server.log_text()
    finally:
        server.stop()
        tally.seconds = time.monotonic() - started
    assert tally.unavailable > 0, "the outage was never seen"
    assert '"store_unavailable"' in log
    assert tally.acknowledged == len(writes) == tally.found
    assert (tally.lost, tally.duplicated, tally.server_errors) == (0, 0, 0)
