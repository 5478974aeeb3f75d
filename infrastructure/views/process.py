"""The projection runner in a process of its own, beside a server on PostgreSQL.

In the server's process the runner's folding takes turns with the requests for the
one interpreter lock; in a child process it runs on the machine's other core. The
child follows the log by LISTEN/NOTIFY as the in-process runner does, stops when
the server stops or dies, and the server starts it again if it exits.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from multiprocessing.process import BaseProcess

import structlog

from application.read import Lag
from infrastructure.settings import Settings
from infrastructure.views.runner import lag_of
from infrastructure.views.store import ViewStore

log = structlog.get_logger("jaga.projections")
WATCH_SECONDS = 1.0
REPORT_SECONDS = 60.0


def follow(settings: Settings, parent: int) -> None:
    """The child: runs the views until told to stop or the server is gone."""
    from infrastructure.logging import configure_logging
    from infrastructure.wiring import open_app, open_projections

    configure_logging(settings)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    # Ctrl-C in a terminal reaches the whole process group; the server stops this.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    app = open_app(settings)
    service = open_projections(app)
    service.start()
    try:
        while not stop.wait(0.5):
            if os.getppid() != parent:  # the server died without stopping us
                break
            if not service.alive():  # exit, so the server starts a fresh one
                raise SystemExit(1)
    finally:
        service.stop()
        app.close()


class ViewsProcess:
    """Keeps `follow` running in a child process; answers the views' lag."""

    def __init__(self, settings: Settings, store: ViewStore) -> None:
        self.settings = settings
        self.store = store
        self.restarts = 0
        self.last_error: str | None = None
        self.failed_at = -REPORT_SECONDS
        self._context = multiprocessing.get_context("spawn")
        self._child: BaseProcess | None = None
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None

    def start(self) -> None:
        self._stop.clear()
        self._spawn()
        self._watcher = threading.Thread(
            target=self._watch, name="jaga-projections-watch", daemon=True
        )
        self._watcher.start()

    def stop(self) -> None:
        self._stop.set()
        if self._watcher is not None:
            self._watcher.join(timeout=5)
            self._watcher = None
        child, self._child = self._child, None
        if child is not None and child.is_alive():
            child.terminate()
            child.join(timeout=10)
            if child.is_alive():
                child.kill()
                child.join(timeout=5)

    def lag(self) -> Lag:
        """The views' lag; names the child's last exit for a minute after it."""
        recent = time.monotonic() - self.failed_at < REPORT_SECONDS
        return lag_of(self.store, self.last_error if recent else None)

    @property
    def pid(self) -> int | None:
        return None if self._child is None else self._child.pid

    def _spawn(self) -> None:
        child = self._context.Process(
            target=follow,
            args=(self.settings, os.getpid()),
            name="jaga-projections",
            daemon=True,
        )
        child.start()
        self._child = child

    def _watch(self) -> None:
        while not self._stop.wait(WATCH_SECONDS):
            child = self._child
            if child is None or child.is_alive() or self._stop.is_set():
                continue
            self.restarts += 1
            self.failed_at = time.monotonic()
            self.last_error = (
                f"the projection process exited with code {child.exitcode};"
                " started again"
            )
            log.error(
                "projection process exited; starting it again",
                exitcode=child.exitcode,
                restarts=self.restarts,
            )
            self._spawn()
