"""The projection runner: follows the log in batches, one transaction per batch, and
keeps going after failures (logs, backs off, resumes from the tracked position)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import structlog
from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection
from eventsourcing.sqlite import SQLiteDatastore

from application.projections.common import when
from application.read import VIEW_NAMES, Lag
from infrastructure.views.engine import Writer
from infrastructure.views.store import LIVE, ViewStore

log = structlog.get_logger("jaga.projections")
BATCH = 1000
MAX_BACKOFF = 30.0
# After a wake-up the runner lets events gather this long: a batch costs about
# the same for 5 events as for 50, and the lag target is a second.
GATHER_SECONDS = 0.1


class JagaViews(Projection[Any]):
    """The views as the library's Projection: one event at a time through
    `process_event`, or many through `process_records`, each call one transaction."""

    name = LIVE

    def __init__(
        self, store: ViewStore, before_commit: Callable[[int], None] | None = None
    ) -> None:
        super().__init__(view=store.tracking)
        self.store = store
        self.writer: Writer | None = None
        # A drill hook: called inside the transaction just before it commits.
        self.before_commit = before_commit

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        """The library runner's path: finds the event's position by its notification
        id and processes everything up to it."""
        with self.store.transaction(commit=False) as c:
            c.execute(
                f"SELECT position FROM jaga_log WHERE notification_id = "
                f"{self.store.ph}",
                [tracking.notification_id],
            )
            row = c.fetchone()
        if row is not None:
            self.step(until=int(row["position"]))

    def step(self, limit: int = BATCH, until: int | None = None) -> int:
        """Processes the next batch in one transaction; returns how many events."""
        with self.store.transaction(commit=True) as c:
            self.store.lock(c)
            generations = self.store.generations(c)
            tracked = self.store.tracked(c)
            # The writer's memory holds only if nobody else moved the views on (a
            # rebuild, another runner) and its own last batch committed.
            if (
                self.writer is None
                or self.writer.generations != generations
                or self.writer.position != tracked
            ):
                self.writer = Writer(self.store.dialect, generations, VIEW_NAMES)
                self.writer.load_directory(c)
                self.writer.position = tracked
            count, records = self.store.read_lazily(c, tracked, limit, until)
            if not count:
                return 0
            try:
                last = self.writer.apply(c, records)
                self.store.track(c, last)
                if self.before_commit is not None:
                    self.before_commit(last)
            except BaseException:
                self.writer = None  # its directory may hold the failed batch
                raise
            return count


class ProjectionService:
    """Runs the views in a background thread that follows new events as they commit
    (LISTEN/NOTIFY on PostgreSQL, polling on SQLite)."""

    def __init__(
        self,
        store: ViewStore,
        batch_size: int = BATCH,
        poll_seconds: float = 0.25,
        gather_seconds: float = GATHER_SECONDS,
        before_commit: Callable[[int], None] | None = None,
    ) -> None:
        self.store = store
        self.projection = JagaViews(store, before_commit)
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.gather_seconds = gather_seconds
        self.failures = 0
        self.last_error: str | None = None
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._threads: list[threading.Thread] = []

    def catch_up(self, progress: Callable[[int], None] | None = None) -> int:
        """Processes every event not yet processed; returns how many."""
        done = 0
        while not self._stop.is_set():
            n = self.projection.step(self.batch_size)
            if n == 0:
                return done
            done += n
            if progress is not None:
                progress(done)
        return done

    def start(self) -> None:
        self._stop.clear()
        runner = threading.Thread(
            target=self._run, name="jaga-projections", daemon=True
        )
        self._threads = [runner]
        if not isinstance(self.store.datastore, SQLiteDatastore):
            self._threads.append(
                threading.Thread(
                    target=self._listen, name="jaga-projections-listen", daemon=True
                )
            )
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout=10)
        self._threads = []

    def wake(self) -> None:
        self._wake.set()

    def alive(self) -> bool:
        """Whether every thread it started still runs."""
        return bool(self._threads) and all(t.is_alive() for t in self._threads)

    def _run(self) -> None:
        # Nothing here may touch the store outside the try: with the store down,
        # an error escaping would end the thread and freeze the views for good.
        while not self._stop.is_set():
            try:
                self.catch_up()
            except Exception as error:  # the board must not freeze silently
                self.failures += 1
                self.last_error = f"{type(error).__name__}: {error}"
                backoff = min(MAX_BACKOFF, 0.5 * 2 ** min(self.failures, 8))
                log.error(
                    "projection batch failed; will resume from the tracked position",
                    error=self.last_error,
                    failures=self.failures,
                    backoff_seconds=backoff,
                )
                self._stop.wait(backoff)
                continue
            if self.failures:
                writer = self.projection.writer
                log.info(
                    "projections resumed",
                    position=None if writer is None else writer.position,
                )
            self.failures = 0
            self.last_error = None
            self._wake.wait(self.poll_seconds)
            self._stop.wait(self.gather_seconds)
            self._wake.clear()

    def _listen(self) -> None:
        """Wakes the runner when PostgreSQL notifies a new event."""
        recorder: Any = self.store.app.recorder
        from psycopg.sql import SQL, Identifier

        while not self._stop.is_set():
            try:
                with self.store.datastore.get_connection() as conn:
                    conn.execute(
                        SQL("LISTEN {0}").format(Identifier(recorder.channel_name))
                    )
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=0.5, stop_after=1):
                            self._wake.set()
                    conn.execute("UNLISTEN *")
            except Exception as error:  # polling still runs; listen again shortly
                log.warning("projection listener failed", error=str(error))
                self._stop.wait(1.0)

    def lag(self) -> Lag:
        return lag_of(self.store, self.last_error)


def lag_of(store: ViewStore, error: str | None = None) -> Lag:
    """How far the live views are behind the log, in positions and seconds."""
    with store.transaction(commit=False) as c:
        position = store.tracked(c)
        log_position = store.log_position(c)
        seconds = 0.0
        if log_position > position:
            first = store.read_records(c, position, 1)
            recorded = when(first[0]["recorded_at"]) if first else None
            if recorded is not None:
                seconds = max(0.0, (datetime.now(UTC) - recorded).total_seconds())
    lag: Lag = {
        "positions": log_position - position,
        "seconds": round(seconds, 3),
        "position": position,
        "log_position": log_position,
    }
    if error:
        lag["error"] = error
    return lag


def wait_for(store: ViewStore, position: int, timeout: float) -> bool:
    """Waits until the live views reflect `position`; False on timeout."""
    deadline = time.monotonic() + timeout
    pause = 0.005
    while True:
        if store.position() >= position:
            return True
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        time.sleep(min(pause, remaining))
        pause = min(pause * 2, 0.1)
