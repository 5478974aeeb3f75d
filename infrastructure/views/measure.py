"""Measures the views' catch-up rate beside the library's raw select-and-decode rate
of the same log, in the same run, and builds scratch logs to measure on."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any
from urllib.parse import urlparse

from application.app import Jaga
from application.demo import DEMO_ACTOR, at, load_demo
from application.writes import Context
from domain.checkin import CheckIn
from domain.patrol import Patrol
from infrastructure.views.rebuild import discard, rebuild
from infrastructure.views.store import ViewStore


def raw_select_rate(app: Jaga, page: int = 1000) -> dict[str, float]:
    """The library's own read path: select_notifications and decode every event."""
    started = time.perf_counter()
    count, start = 0, 1
    while True:
        notifications = app.recorder.select_notifications(start=start, limit=page)
        if not notifications:
            break
        for notification in notifications:
            app.mapper.to_domain_event(notification)
        count += len(notifications)
        start = notifications[-1].id + 1
    seconds = time.perf_counter() - started
    rate = count / seconds if seconds else 0.0
    return {"events": count, "seconds": seconds, "rate": rate}


def catch_up_rate(store: ViewStore, batch: int = 2000) -> dict[str, float]:
    """Every view built from the whole log into scratch tables (then dropped)."""
    with store.transaction(commit=False) as c:
        log_position = store.log_position(c)
    started = time.perf_counter()
    built = rebuild(store, batch=batch, until=log_position, swap=False)
    seconds = time.perf_counter() - started
    discard(store, built)
    return {
        "events": built.events,
        "seconds": seconds,
        "rate": built.events / seconds if seconds else 0,
    }


def measure(app: Jaga, store: ViewStore, batch: int = 2000) -> dict[str, Any]:
    raw = raw_select_rate(app)
    views = catch_up_rate(store, batch)
    return {
        "raw_select_decode": raw,
        "catch_up": views,
        "ratio": views["rate"] / raw["rate"] if raw["rate"] else None,
    }


def add_synthetic(
    app: Jaga,
    events: int,
    per_write: int = 200,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Adds about `events` events to a demo log: check-ins of the Jember guards and
    patrol visits, `per_write` events per transaction."""
    load_demo(app)
    ctx = Context(actor=DEMO_ACTOR, correlation_id="measure")
    sites = ("kpu-kab-jember", "gudang-kpu-kab-jember")
    written = 0
    while written < events:
        start = at(2024, 1, 5, 8) + timedelta(seconds=30 * written)
        patrol = Patrol.plan("routine", "toha", ["polres-jember"], list(sites), start)
        patrol.start(start)
        aggregates: list[Any] = [patrol]
        for n in range(written, written + max(3, min(per_write, events - written)) - 3):
            moment = at(2024, 1, 5, 8) + timedelta(seconds=30 * n)
            if n % 10 == 9:
                patrol.visit(sites[n % 2], moment, "aman")
            else:
                aggregates.append(
                    CheckIn.record(sites[n % 2], f"jbr-{n % 12 + 1:02d}", "qr", moment)
                )
        patrol.end("", start + timedelta(seconds=30 * per_write))

        write = app.prepare(ctx, "measure", aggregates, None)
        [saved] = app.store_writes([write])
        if saved.status != "stored":
            raise RuntimeError(f"synthetic events not stored: {saved}")
        written += per_write
        if progress is not None:
            progress(min(written, events))
    return written


@contextmanager
def scratch_url(database_url: str) -> Iterator[str]:
    """A new, empty store of the same kind (a temporary SQLite file, or a temporary
    database on the same PostgreSQL server), removed afterwards."""
    url = urlparse(database_url)
    if url.scheme == "sqlite":
        with TemporaryDirectory(prefix="jaga-measure-") as folder:
            yield f"sqlite:///{Path(folder) / 'measure.sqlite3'}"
        return
    import psycopg

    name = f"jaga_measure_{uuid.uuid4().hex[:12]}"
    admin = url._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
