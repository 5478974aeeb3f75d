"""The store's ceiling: events/s through Jaga's append against the library's own
recorder, same events, same machine, 1 and 10 events per transaction from 1, 2
and 4 processes, and how much of the time the events table's write lock is held.

No HTTP and no decisions here: each process prepares its writes first (as a
request does before the lock), then appends them as fast as the store takes them.
"""

from __future__ import annotations

import multiprocessing as mp
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, cast

import psycopg

from infrastructure.bench.baselines import _events
from infrastructure.store import library_env

# (events per transaction, processes) as the voting-day issue asks.
SHAPES = ((1, 1), (1, 2), (1, 4), (10, 1), (10, 2), (10, 4))
# How many events each process prepares; it stops early when the time is up.
PREPARED_EVENTS = 3_000


Append = Callable[[list[Any]], Any]


def _jaga_store(url: str, per_txn: int) -> tuple[Append, list[list[Any]], Any]:
    """Jaga's append and check-ins prepared as a request prepares them."""
    from application.writes import SYSTEM, Context, EventStore
    from domain.checkin import CheckIn
    from infrastructure.settings import Settings
    from infrastructure.wiring import open_app

    app = open_app(Settings(database_url=url))
    store = cast(EventStore, app.recorder)
    ctx, now = Context(SYSTEM), datetime.now(UTC)
    writes = [
        app.prepare(
            ctx, "bench", [CheckIn.record("tps-bench-1", f"p-{i}", "qr", now)], None
        )
        for i in range(PREPARED_EVENTS)
    ]
    batches = [writes[i : i + per_txn] for i in range(0, len(writes), per_txn)]
    return store.append, batches, app


def _library_store(url: str, per_txn: int) -> tuple[Append, list[list[Any]], Any]:
    """The library's own recorder and stored events of the same size."""
    from eventsourcing.application import Application

    env = {
        k: v for k, v in library_env(url).items() if k != "APPLICATION_RECORDER_TOPIC"
    }
    app = Application[uuid.UUID](env=env)
    batches = [_events(per_txn) for _ in range(PREPARED_EVENTS // per_txn)]
    return app.recorder.insert_events, batches, app


STORES = {"jaga": _jaga_store, "library": _library_store}


def _worker(
    kind: str,
    url: str,
    per_txn: int,
    seconds: float,
    opening: Any,
    start: Any,
    out: Any,
) -> None:
    """One process: opens the store (one at a time), prepares, waits for the
    others, then appends until the time is up."""
    app = None
    try:
        with opening:
            append, batches, app = STORES[kind](url, per_txn)
            append(batches.pop())  # connected before the clock starts
        start.wait()
        t0 = time.perf_counter()
        done = 0
        for batch in batches:
            append(batch)
            done += len(batch)
            if time.perf_counter() - t0 > seconds:
                break
        out.put((done, t0, time.perf_counter()))
    except BaseException as error:
        start.abort()
        out.put(error)
        raise
    finally:
        if app is not None:
            app.close()


def _lock_sampler(url: str, table: str, stop: threading.Event, seen: list[int]) -> None:
    """Samples, every millisecond or so, whether a transaction holds the table's
    EXCLUSIVE lock (the lock both recorders take to number events)."""
    with psycopg.connect(url, autocommit=True) as conn:
        oid = conn.execute("SELECT to_regclass(%s)::oid", (table,)).fetchone()
        if not oid or oid[0] is None:
            return
        query = (
            "SELECT count(*) FROM pg_locks WHERE relation = %s"
            " AND mode = 'ExclusiveLock' AND granted"
        )
        while not stop.is_set():
            row = conn.execute(query, (oid[0],)).fetchone()
            seen.append(1 if row and row[0] else 0)
            time.sleep(0.001)


def _create_tables(kind: str, url: str) -> str:
    """Makes the store's tables once, before the processes race to; their name."""
    if kind == "library":
        from eventsourcing.application import Application

        env = {
            k: v
            for k, v in library_env(url).items()
            if k != "APPLICATION_RECORDER_TOPIC"
        }
        library = Application[uuid.UUID](env={**env, "CREATE_TABLE": "y"})
        library.close()
        return "application_events"
    from infrastructure.settings import Settings
    from infrastructure.wiring import open_app

    app = open_app(Settings(database_url=url))
    try:
        return str(app.recorder.events_table_name)  # type: ignore[attr-defined]
    finally:
        app.close()


def measure(
    kind: str, url: str, per_txn: int, processes: int, seconds: float
) -> dict[str, Any]:
    """Events/s `processes` processes append through `kind`'s path together."""
    table = _create_tables(kind, url)
    ctx = mp.get_context("spawn")
    opening, start, out = ctx.Lock(), ctx.Barrier(processes + 1), ctx.Queue()
    args = (kind, url, per_txn, seconds, opening, start, out)
    procs = [ctx.Process(target=_worker, args=args) for _ in range(processes)]
    for p in procs:
        p.start()
    stop, seen = threading.Event(), list[int]()
    sampler = threading.Thread(target=_lock_sampler, args=(url, table, stop, seen))
    try:
        start.wait(timeout=120)
        sampler.start()
        results = [out.get(timeout=120) for _ in procs]
    except threading.BrokenBarrierError:
        results = [out.get(timeout=5)]
    finally:
        stop.set()
        if sampler.is_alive():
            sampler.join()
        for p in procs:
            p.join(timeout=30)
    failed = [r for r in results if isinstance(r, BaseException)]
    if failed:
        raise RuntimeError(f"the {kind} store ceiling failed: {failed[0]!r}")
    events = sum(r[0] for r in results)
    wall = max(r[2] for r in results) - min(r[1] for r in results)
    return {
        "events": events,
        "transactions": events // per_txn,
        "seconds": round(wall, 3),
        "rate_per_s": round(events / wall, 1) if wall > 0 else 0.0,
        "lock_held_share": round(sum(seen) / len(seen), 3) if seen else None,
    }


def ceiling(
    jaga_url: str,
    library_url: str,
    seconds: float,
    say: Callable[[str], None] = print,
    shapes: tuple[tuple[int, int], ...] = SHAPES,
) -> list[dict[str, Any]]:
    """One row per (events per transaction, processes): Jaga, the library, ratio."""
    rows = []
    for per_txn, processes in shapes:
        jaga = measure("jaga", jaga_url, per_txn, processes, seconds)
        library = measure("library", library_url, per_txn, processes, seconds)
        base = library["rate_per_s"]
        ratio = jaga["rate_per_s"] / base if base else None
        say(
            f"  {per_txn} event(s)/txn, {processes} process(es): Jaga "
            f"{jaga['rate_per_s']:.0f}/s, library {base:.0f}/s, lock held "
            f"{jaga['lock_held_share']} / {library['lock_held_share']}"
        )
        rows.append(
            {
                "events_per_txn": per_txn,
                "processes": processes,
                "jaga": jaga,
                "library": library,
                "ratio": None if ratio is None else round(ratio, 3),
            }
        )
    return rows
