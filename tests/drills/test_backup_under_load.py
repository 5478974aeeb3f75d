"""A backup taken while two servers take writes, restored into an empty database:
the same log, the same root and the same views, up to the backup's position."""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from infrastructure.audit.merkle import root
from infrastructure.settings import Settings
from infrastructure.views.rebuild import contents, discard, rebuild
from infrastructure.views.store import ViewStore
from infrastructure.wiring import open_app
from tests.drills.harness import (
    CLI,
    JagaServer,
    Sent,
    client,
    counts,
    make_key,
    post,
    recently,
)
from tests.drills.scenario import guarded_site

pytestmark = [pytest.mark.drill, pytest.mark.postgres]
NAME = "backup under load, restored [postgres]"


def _jaga(url: str, folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "JAGA_DATABASE_URL": url,
        "JAGA_SIGNING_KEY_FILE": str(folder / "signing.key"),
        "JAGA_LOG_ORIGIN": "drills.jaga/test",
        "JAGA_LANG": "en",
    }
    return subprocess.run(
        [sys.executable, "-c", CLI, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _state(url: str, size: int) -> tuple[list[Any], bytes, dict[str, Any]]:
    """Positions 1..size as stored (bytes and leaves), the root of that tree, and
    the views built from exactly those events."""
    jaga = open_app(Settings(database_url=url))
    try:
        rows = jaga.recorder.read_stored(0, size + 1, size)
        log = [(r["position"], bytes(r["state"]), bytes(r["leaf_hash"])) for r in rows]
        store = ViewStore(jaga)
        built = rebuild(store, swap=False, until=size)
        try:
            views = contents(store, built.generations)
        finally:
            discard(store, built)
        return log, root(size, jaga.recorder), views
    finally:
        jaga.close()


def _live_views(url: str) -> dict[str, Any]:
    jaga = open_app(Settings(database_url=url))
    try:
        return contents(ViewStore(jaga))
    finally:
        jaga.close()


def test_a_backup_taken_under_load_restores_the_same_log_root_and_views(
    pg_database: Any, tmp_path: Path
) -> None:
    url = pg_database()
    keys = {role: make_key(url, role)[1] for role in ("ops", "field")}
    server = JagaServer(url, tmp_path).start()
    tally = counts(NAME)
    rng = random.Random(18)
    try:
        site = guarded_site(server.base_url, keys["ops"], people=20)
        backup = tmp_path / "log.backup"
        made: list[subprocess.CompletedProcess[str]] = []

        async def load() -> None:
            stop = asyncio.Event()

            async def writer() -> None:
                async with client(server.base_url, keys["field"]) as c:
                    while not stop.is_set():
                        body = {
                            "personnel_id": rng.choice(site["personnel"]),
                            "method": "qr",
                            "occurred_at": recently(),
                        }
                        path = f"/api/v1/sites/{site['site_id']}/check-ins"
                        await post(c, Sent(path, body), tally)

            tasks = [asyncio.create_task(writer()) for _ in range(6)]
            await asyncio.sleep(2)
            made.append(
                await asyncio.to_thread(_jaga, url, tmp_path, "backup", str(backup))
            )
            await asyncio.sleep(1)
            stop.set()
            await asyncio.gather(*tasks)

        asyncio.run(load())
        assert made[0].returncode == 0, made[0].stderr
        header = json.loads(backup.open("rb").readline())
        size = header["to_position"]
        source = _state(url, size)
        assert len(source[0]) == size
        jaga = open_app(Settings(database_url=url))
        try:  # the writes went on after the backup's moment
            assert jaga.log.max_position() > size
        finally:
            jaga.close()
        restored_url = pg_database()
        done = _jaga(restored_url, tmp_path, "restore", str(backup))
        assert done.returncode == 0, done.stdout + done.stderr
        log, head, views = _state(restored_url, size)
        assert (log, head) == source[:2]
        assert views == source[2] == _live_views(restored_url)
        verified = _jaga(restored_url, tmp_path, "verify")
        assert verified.returncode == 0, verified.stdout + verified.stderr
        tally.note = f"backup at position {size} of a growing log"
    finally:
        server.stop()
