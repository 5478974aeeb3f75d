"""Measures on the stored log with no server: reading and decoding it, the views'
catch-up in batches, and `jaga rebuild` over the whole log."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from infrastructure.bench import baselines


def select_decode(url: str) -> dict[str, Any]:
    from infrastructure.settings import Settings
    from infrastructure.wiring import open_app

    jaga = open_app(Settings(database_url=url))
    try:
        return baselines.select_decode(jaga, 10_000_000)
    finally:
        jaga.close()


def catch_up(url: str) -> dict[str, Any]:
    """Every view built from the whole log in batches, as a runner that fell
    behind catches up (the projections' own measure, into scratch tables)."""
    from infrastructure.settings import Settings
    from infrastructure.views.measure import catch_up_rate
    from infrastructure.views.store import ViewStore
    from infrastructure.wiring import open_app

    jaga = open_app(Settings(database_url=url))
    try:
        done = catch_up_rate(ViewStore(jaga))
    finally:
        jaga.close()
    return {
        "events": done["events"],
        "seconds": round(done["seconds"], 3),
        "rate_per_s": round(done["rate"], 1),
    }


def cli_seconds(args: list[str], env: dict[str, str]) -> tuple[float, Any]:
    code = "from interfaces.cli.main import app; app()"
    t = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )
    return time.perf_counter() - t, done


def rebuild(
    events_wanted: int, url: str, env: dict[str, str], say: Callable[[str], None]
) -> dict[str, Any]:
    """Times `jaga rebuild` over the whole log (grown first in full mode)."""
    from infrastructure.bench.grow import grow_log

    if events_wanted:
        say(f"  growing the log to {events_wanted} events")
        grown = grow_log(url, events_wanted)
    else:
        grown = None
    # A rebuild covers the log up to the live views' position, so the live views
    # are brought to the end of the grown log first: the live runner's own
    # catch-up (`jaga project`) on the backlog the growing left, timed apart.
    caught_up, done = cli_seconds(["project"], env)
    if done.returncode != 0:
        return {"error": (done.stderr or done.stdout)[-500:]}
    # The CLI's start-up (imports, connecting) is not rebuild work: timed apart.
    startup, _ = cli_seconds(["settings"], env)
    seconds, done = cli_seconds(["rebuild"], env)
    from infrastructure.settings import Settings
    from infrastructure.wiring import open_app

    jaga = open_app(Settings(database_url=url))
    try:
        events = jaga.log.max_position()
    finally:
        jaga.close()
    if done.returncode != 0:
        return {"error": (done.stderr or done.stdout)[-500:], "events": events}
    work = max(seconds - startup, 1e-3)
    per_s = events / work
    backlog = (grown or {}).get("added") or 0
    live = max(caught_up - startup, 1e-3)
    return {
        "live_backlog": {
            "events": backlog,
            "seconds": round(live, 2),
            "rate_per_s": round(backlog / live, 1) if backlog else None,
        },
        "events": events,
        "seconds": round(seconds, 2),
        "startup_seconds": round(startup, 2),
        "project_seconds": round(caught_up, 2),
        "rate_per_s": round(per_s, 1),
        "grown": grown,
        "seconds_for_1m": round(1_000_000 / per_s, 1) if per_s else None,
        "extrapolated": events < 1_000_000,
    }
