"""Committers: append one command's write at once, or gather the writes waiting at
each moment into one store transaction (group commit) and tell each caller what
happened to its own."""

from __future__ import annotations

import queue
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from typing import Protocol

from application.writes import Appended, EventStore, PreparedWrite

# The store's write lock is held while a transaction's events are inserted: the
# work under it grows with their number and size, so a transaction carries at most
# this much. A single write larger than the cap goes alone.
MAX_EVENTS = 1000
MAX_BYTES = 4 * 1024 * 1024


class Committer(Protocol):
    def submit(self, writes: Sequence[PreparedWrite]) -> Future[list[Appended]]:
        """What the store did with each write, once it is durable (or the error)."""
        ...

    def close(self) -> None: ...


def chunks(writes: Sequence[PreparedWrite]) -> list[list[int]]:
    """The writes' indexes, in order, cut into transactions within the caps."""
    out: list[list[int]] = []
    events = size = 0
    for i, write in enumerate(writes):
        n, b = len(write.events), write.size()
        if out and out[-1] and events + n <= MAX_EVENTS and size + b <= MAX_BYTES:
            out[-1].append(i)
            events, size = events + n, size + b
        else:
            out.append([i])
            events, size = n, b
    return out


def append_all(store: EventStore, writes: Sequence[PreparedWrite]) -> list[Appended]:
    """Appends the writes in order, a transaction per chunk.

    A write decided on another that a chunk could not store fails its own
    expectations in a later chunk, so the cut never breaks a dependency.
    """
    outcome: list[Appended] = []
    for part in chunks(writes):
        outcome += store.append([writes[i] for i in part])
    return outcome


class DirectCommitter:
    """One transaction per submission, in the caller's thread: for tools and tests."""

    def __init__(self, store: EventStore) -> None:
        self.store = store

    def submit(self, writes: Sequence[PreparedWrite]) -> Future[list[Appended]]:
        done: Future[list[Appended]] = Future()
        try:
            done.set_result(append_all(self.store, writes))
        except Exception as error:  # noqa: BLE001 - the caller hears of it
            done.set_exception(error)
        return done

    def close(self) -> None:
        pass


_Item = tuple[Sequence[PreparedWrite], "Future[list[Appended]]"]


class GroupCommitter:
    """Gathers the submissions waiting at each moment into one transaction.

    While one transaction commits, new writes queue up and go together in the
    next, so the transaction size follows the load and a lone write waits for
    nobody.
    """

    def __init__(self, store: EventStore) -> None:
        self.store = store
        self.queue: queue.SimpleQueue[_Item | None] = queue.SimpleQueue()
        self.transactions = 0
        self.writes = 0
        self.thread = threading.Thread(
            target=self._run, name="group-commit", daemon=True
        )
        self.thread.start()

    def submit(self, writes: Sequence[PreparedWrite]) -> Future[list[Appended]]:
        done: Future[list[Appended]] = Future()
        self.queue.put((writes, done))
        return done

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join(timeout=10)

    def _gather(self, first: _Item) -> tuple[list[_Item], bool]:
        group = [first]
        events = sum(len(w.events) for w in first[0])
        while events < MAX_EVENTS:
            try:
                item = self.queue.get_nowait()
            except queue.Empty:
                break
            if item is None:
                return group, True
            group.append(item)
            events += sum(len(w.events) for w in item[0])
        return group, False

    def _run(self) -> None:
        while True:
            first = self.queue.get()
            if first is None:
                return
            group, stop = self._gather(first)
            writes = [w for ws, _ in group for w in ws]
            try:
                outcome = append_all(self.store, writes)
            except Exception as error:  # noqa: BLE001 - every caller hears of it
                if len(group) == 1:
                    group[0][1].set_exception(error)
                else:
                    # Nothing was stored; one caller's write must not fail the
                    # others', so each goes again alone.
                    for ws, done in group:
                        self._alone(ws, done)
            else:
                at = 0
                for ws, done in group:
                    done.set_result(outcome[at : at + len(ws)])
                    at += len(ws)
            self.transactions += 1
            self.writes += len(writes)
            if stop:
                return

    def _alone(
        self, writes: Sequence[PreparedWrite], done: Future[list[Appended]]
    ) -> None:
        try:
            done.set_result(append_all(self.store, writes))
        except Exception as error:  # noqa: BLE001 - its caller hears of it
            done.set_exception(error)
