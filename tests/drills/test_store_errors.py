"""The store fails under the real server: while PostgreSQL refuses connections, or
refuses writes as a read-only standby does, every write answers 503 with
Retry-After, never 201 and never 500; the server recovers by itself."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import _pg_admin
from tests.drills.conftest import Served, serve, slow_drill
from tests.drills.harness import Counts, Sent, account, client, counts, post, recently
from tests.drills.scenario import guarded_site

pytestmark = pytest.mark.drill


@pytest.fixture
def on_postgres(pg_database: Any, tmp_path: Path) -> Iterator[Served]:
    """A server of its own: these drills break its database."""
    s = serve("postgres", tmp_path, pg_database)
    try:
        yield s
    finally:
        s.server.stop()


def _admin(sql: str, database: str) -> None:
    with _pg_admin() as conn:
        conn.execute(sql.format(db=f'"{database}"'))
        # Open connections keep the old rules: end them, as a failover would.
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [database],
        )


def _check_ins(served: Served, site: dict[str, Any], n: int) -> list[Sent]:
    return [
        Sent(
            f"/api/v1/sites/{site['site_id']}/check-ins",
            {"personnel_id": p, "method": "nfc", "occurred_at": recently()},
        )
        for p in site["personnel"][:n]
    ]


async def _send(served: Served, writes: list[Sent], tally: Counts) -> None:
    async with client(served.base_url, served.keys["field"], connections=8) as c:
        await asyncio.gather(*(post(c, w, tally) for w in writes))


async def _until_acknowledged(
    served: Served, writes: list[Sent], tally: Counts, timeout: float = 30.0
) -> None:
    """Retries each write with its own Idempotency-Key until it is answered 201."""
    deadline = time.monotonic() + timeout
    async with client(served.base_url, served.keys["field"], connections=8) as c:
        while pending := [w for w in writes if w.status != 201]:
            assert time.monotonic() < deadline, [w.status for w in pending]
            await asyncio.gather(*(post(c, w, tally) for w in pending))
            if any(w.status != 201 for w in pending):
                await asyncio.sleep(0.5)


def _outage(
    served: Served, refuse: str, restore: str, name: str, reads_work: bool
) -> None:
    database = served.url.rsplit("/", 1)[1]
    tally = counts(name)
    started = time.monotonic()
    site = guarded_site(served.base_url, served.keys["ops"], people=36)
    before = _check_ins(served, site, 20)
    asyncio.run(_send(served, before, tally))
    assert [w.status for w in before] == [201] * 20
    _admin(refuse, database)
    try:
        during = _check_ins(served, site, 36)[20:]
        asyncio.run(_send(served, during, tally))
        assert {w.status for w in during} == {503}, [w.status for w in during]
        with httpx.Client(base_url=served.base_url, timeout=30) as c:
            auth = {"Authorization": f"Bearer {served.keys['ops']}"}
            refused = c.post(
                during[0].path,
                json=during[0].body,
                headers={**auth, "Idempotency-Key": during[0].key},
            )
            ready = c.get("/readyz")
            board = c.get("/api/v1/sites", headers=auth)
        for reply in (refused, ready, board):
            tally.add_status(reply.status_code)
        assert refused.status_code == 503
        assert refused.headers["Retry-After"] == "2"
        assert refused.json()["error"]["code"] == "unavailable"
        assert board.status_code == (200 if reads_work else 503), board.text
        assert ready.status_code == (200 if reads_work else 503), ready.text
    finally:
        _admin(restore, database)
    restored = time.monotonic()
    asyncio.run(_until_acknowledged(served, during, tally))
    tally.recovery = max(tally.recovery, time.monotonic() - restored)
    account(served.url, before + during, tally)
    tally.seconds += time.monotonic() - started
    assert tally.acknowledged == 36 and tally.found == 36
    assert (tally.lost, tally.duplicated, tally.server_errors) == (0, 0, 0)


@slow_drill  # the pool's reconnect backoff takes its time after the outage
def test_store_refusing_connections_answers_503_and_recovers_by_itself(
    on_postgres: Served,
) -> None:
    _outage(
        on_postgres,
        "ALTER DATABASE {db} ALLOW_CONNECTIONS false",
        "ALTER DATABASE {db} ALLOW_CONNECTIONS true",
        "store down: connections refused [postgres]",
        reads_work=False,
    )


def test_store_refusing_writes_answers_503_never_a_silent_success(
    on_postgres: Served,
) -> None:
    _outage(
        on_postgres,
        "ALTER DATABASE {db} SET default_transaction_read_only = on",
        "ALTER DATABASE {db} RESET default_transaction_read_only",
        "store read-only: writes refused [postgres]",
        reads_work=True,
    )
