"""Committers: save one command's write alone, or gather concurrent ones into one
transaction (group commit) and answer each caller once its own events are durable."""

from __future__ import annotations

import queue
import threading
from collections.abc import Collection, Sequence
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
    """Saves the writes in one transaction, in order."""
    for write in writes:
        write.positions.clear()
    stored = [e for w in writes for e in w.stored_events]
    recorder.insert_events(stored, jaga_writes=list(writes))


def commit_together(
    recorder: Recorder,
    writes: Sequence[Write],
    depends_on: Sequence[Collection[int]] | None = None,
) -> list[BaseException | None]:
    """Saves independent writes in one transaction; the outcome of each, in order.

    A write on an aggregate version that an earlier write of the same group takes
    loses at once. If the transaction still fails on a conflict, the writes are
    saved one by one, so only the conflicting ones fail. `depends_on[i]` names the
    earlier writes that write i was decided on: when one of them fails, so does i,
    since its events would follow state that was never stored.
    """
    outcome: list[BaseException | None] = [None] * len(writes)
    deps = depends_on or [()] * len(writes)

    def orphaned(i: int) -> bool:
        if any(outcome[j] is not None for j in deps[i]):
            outcome[i] = RecordConflictError("an earlier write it builds on failed")
            return True
        return False

    seen: set[tuple[Any, int]] = set()
    ready: list[int] = []
    for i, write in enumerate(writes):
        if orphaned(i):
            continue
        keys = {(e.originator_id, e.originator_version) for e in write.stored_events}
        if keys & seen:
            outcome[i] = RecordConflictError("another write took this version")
            continue
        seen |= keys
        ready.append(i)
    if not ready:
        return outcome
    try:
        save(recorder, [writes[i] for i in ready])
    except IntegrityError:
        for i in ready:
            if orphaned(i):
                continue
            try:
                save(recorder, [writes[i]])
            except BaseException as error:  # noqa: B036 - reported to its caller
                outcome[i] = error
    except BaseException as error:  # noqa: B036 - every caller must hear of it
        for i in ready:
            outcome[i] = error
    return outcome


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

    While one transaction commits, new writes queue up and go together in the
    next, so the batch size follows the load and a lone write waits for nobody.
    """

    def __init__(self, recorder: Recorder, max_batch: int = 500) -> None:
        self.recorder = recorder
        self.max_batch = max_batch
        self.queue: queue.SimpleQueue[tuple[Write, Future[None]] | None] = (
            queue.SimpleQueue()
        )
        self.transactions = 0
        self.writes = 0
        self.thread = threading.Thread(
            target=self._run, name="group-commit", daemon=True
        )
        self.thread.start()

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
            outcome = commit_together(self.recorder, [w for w, _ in batch])
            self.transactions += 1
            self.writes += len(batch)
            for (_, done), error in zip(batch, outcome, strict=True):
                if error is None:
                    done.set_result(None)
                else:
                    done.set_exception(error)
            if stop:
                return
