"""Committers: save one command's write alone, or gather concurrent ones into one
transaction (group commit) and answer each caller once its own events are durable."""

from __future__ import annotations

import queue
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from typing import Any, Protocol

from eventsourcing.persistence import IntegrityError, RecordConflictError

from application.writes import Write


class Recorder(Protocol):
    def insert_events(self, stored_events: Sequence[Any], **kwargs: Any) -> Any: ...


class Committer(Protocol):
    def commit(self, write: Write) -> None:
        """Returns once the write is durable (positions set), or raises."""

    def close(self) -> None: ...


def save(recorder: Recorder, writes: Sequence[Write]) -> None:
    stored = [e for w in writes for e in w.stored_events]
    recorder.insert_events(stored, jaga_writes=list(writes))


class DirectCommitter:
    """One transaction per command: for tools and tests that write alone."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    def commit(self, write: Write) -> None:
        save(self.recorder, [write])

    def close(self) -> None:
        pass


class GroupCommitter:
    """Gathers the writes waiting at each moment into one transaction.

    While one transaction commits, new writes queue up and go together in the next,
    so the batch size follows the load. A batch that fails on a conflict is retried
    write by write, so only the conflicting command gets the error.
    """

    def __init__(self, recorder: Recorder, max_batch: int = 500) -> None:
        self.recorder = recorder
        self.max_batch = max_batch
        self.queue: queue.SimpleQueue[tuple[Write, Future[None]] | None] = (
            queue.SimpleQueue()
        )
        self.thread = threading.Thread(
            target=self._run, name="group-commit", daemon=True
        )
        self.thread.start()
        self.batches = 0
        self.writes = 0

    def commit(self, write: Write) -> None:
        done: Future[None] = Future()
        self.queue.put((write, done))
        done.result()

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join(timeout=10)

    def _run(self) -> None:
        while True:
            item = self.queue.get()
            if item is None:
                return
            batch = [item]
            stop = False
            while len(batch) < self.max_batch:
                try:
                    nxt = self.queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    stop = True
                    break
                batch.append(nxt)
            self._commit_batch(batch)
            if stop:
                return

    def _commit_batch(self, batch: list[tuple[Write, Future[None]]]) -> None:
        # Two writes of one batch on the same aggregate version: the later loses now.
        seen: set[tuple[Any, int]] = set()
        ready: list[tuple[Write, Future[None]]] = []
        for write, done in batch:
            keys = {
                (e.originator_id, e.originator_version) for e in write.stored_events
            }
            if keys & seen:
                done.set_exception(
                    RecordConflictError(
                        "concurrent write to the same aggregate version"
                    )
                )
                continue
            seen |= keys
            ready.append((write, done))
        if not ready:
            return
        try:
            save(self.recorder, [w for w, _ in ready])
        except IntegrityError:
            for write, done in ready:
                self._commit_alone(write, done)
            return
        except BaseException as error:  # noqa: B036 - every caller must hear of it
            for _, done in ready:
                done.set_exception(error)
            return
        self.batches += 1
        self.writes += len(ready)
        for _, done in ready:
            done.set_result(None)

    def _commit_alone(self, write: Write, done: Future[None]) -> None:
        write.positions.clear()
        try:
            save(self.recorder, [write])
        except BaseException as error:  # noqa: B036 - the caller must hear of it
            done.set_exception(error)
        else:
            self.batches += 1
            self.writes += 1
            done.set_result(None)
