"""Failover on a real engine: two servers write through a libpq multi-host URL to a
primary with a synchronous standby; the primary is killed with SIGKILL mid-burst and
the standby promoted. Nothing acknowledged is lost, nothing is written twice, the
promoted log verifies, and the same servers write again without a restart."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.drills import clusters
from tests.drills.conftest import slow_drill
from tests.drills.harness import (
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

pytestmark = [pytest.mark.drill, pytest.mark.postgres, slow_drill]
NAME = "failover: primary SIGKILL, standby promoted"
RESUME_SECONDS = 60.0


@pytest.fixture
def pair() -> Iterator[clusters.Pair]:
    if not clusters.available():
        pytest.skip(f"PostgreSQL server programs are not in {clusters.BIN}")
    made = clusters.Pair()
    try:
        yield made.start()
    finally:
        made.stop()


def _check_in(site: dict[str, object], rng: random.Random) -> Sent:
    return Sent(
        f"/api/v1/sites/{site['site_id']}/check-ins",
        {
            "personnel_id": rng.choice(site["personnel"]),  # type: ignore[arg-type]
            "method": "qr",
            "occurred_at": recently(),
        },
    )


def test_primary_lost_standby_promoted_nothing_acknowledged_is_lost(
    pair: clusters.Pair, tmp_path: Path
) -> None:
    with pair.primary.connect() as conn:
        conn.execute("CREATE DATABASE jaga")
    url = pair.url("jaga")
    keys = {role: make_key(url, role)[1] for role in ("ops", "field")}
    servers = [JagaServer(url, tmp_path / f"s{i}") for i in range(2)]
    for s in servers:
        s.folder.mkdir()
        s.env["JAGA_SIGNING_KEY_FILE"] = str(tmp_path / "signing.key")
        s.start()
    tally = counts(NAME)
    rng = random.Random(15)
    writes: list[Sent] = []
    try:
        site = guarded_site(servers[0].base_url, keys["ops"], people=30)
        crashed_at: list[float] = []
        promoted_at: list[float] = []
        first_after: list[float] = []

        async def writer(n: int, stop: asyncio.Event) -> None:
            async with client(servers[n % 2].base_url, keys["field"], timeout=20) as c:
                while not stop.is_set():
                    w = _check_in(site, rng)
                    writes.append(w)
                    sent_after_promotion = bool(promoted_at)
                    await post(c, w, tally)
                    if w.status == 201 and sent_after_promotion and not first_after:
                        first_after.append(time.monotonic())
                    if w.status != 201:
                        await asyncio.sleep(0.2)

        async def drill() -> None:
            stop = asyncio.Event()
            tasks = [asyncio.create_task(writer(n, stop)) for n in range(8)]
            await asyncio.sleep(4)  # writes in flight on both servers
            crashed_at.append(time.monotonic())
            pair.primary.crash()
            await asyncio.sleep(1)
            await asyncio.to_thread(pair.fail_over)
            promoted_at.append(time.monotonic())
            deadline = time.monotonic() + RESUME_SECONDS
            while not first_after and time.monotonic() < deadline:
                await asyncio.sleep(0.2)
            await asyncio.sleep(3)  # writes keep flowing on the promoted primary
            stop.set()
            await asyncio.gather(*tasks)

        started = time.monotonic()
        asyncio.run(drill())
        tally.seconds = time.monotonic() - started
        assert first_after, "no write succeeded after the promotion"
        tally.recovery = first_after[0] - promoted_at[0]
        # A client retries what got no answer (or a 503) with the same key: each
        # is written at most once, and now answered.
        retries = [Sent(w.path, w.body, key=w.key) for w in writes if w.status != 201]

        async def retry() -> None:
            async with client(servers[0].base_url, keys["field"]) as c:
                await asyncio.gather(*(post(c, r, tally) for r in retries))

        asyncio.run(retry())
        assert all(r.status == 201 for r in retries), {r.status for r in retries}
        for w, r in zip([w for w in writes if w.status != 201], retries, strict=True):
            w.status, w.answer = r.status, r.answer
        account(url, writes, tally)  # dense positions; each key's copies
        tally.note = (
            f"first write {tally.recovery:.1f} s after promote, "
            f"{first_after[0] - crashed_at[0]:.1f} s after the crash"
        )
        assert tally.acknowledged == len(writes) > 50
        assert (tally.lost, tally.duplicated, tally.server_errors) == (0, 0, 0)
        verified = servers[0].jaga("verify")
        assert verified.returncode == 0, verified.stdout + verified.stderr
        assert all(
            s.server is not None and s.server.proc.poll() is None for s in servers
        )
        wait_caught_up(url, timeout=60)
        assert views_equal_a_fresh_rebuild(url)
    finally:
        for s in servers:
            s.stop()
