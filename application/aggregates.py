"""The aggregates commands decided on lately, as the store last had them.

Commands read them from memory, without a round trip; an entry may lag behind a
write another process made, and the store's append then refuses the write (its
expectations name the versions read), so the entry is dropped and the command is
decided again on what the store holds. Entries are shared: a command that
changes one works on a copy.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from uuid import UUID

from eventsourcing.domain import Aggregate

SIZE = 5000


class Aggregates:
    def __init__(self, size: int = SIZE) -> None:
        self.size = size
        self._items: OrderedDict[UUID, Aggregate] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, aggregate_id: UUID) -> Aggregate | None:
        with self._lock:
            found = self._items.get(aggregate_id)
            if found is not None:
                self._items.move_to_end(aggregate_id)
            return found

    def __contains__(self, aggregate_id: object) -> bool:
        return aggregate_id in self._items

    def put(self, aggregates: Iterable[Aggregate]) -> None:
        """Keeps each, unless a later version of it is kept already."""
        with self._lock:
            for aggregate in aggregates:
                kept = self._items.get(aggregate.id)
                if kept is None or kept.version <= aggregate.version:
                    self._items[aggregate.id] = aggregate
                    self._items.move_to_end(aggregate.id)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def drop(self, ids: Iterable[UUID]) -> None:
        with self._lock:
            for aggregate_id in ids:
                self._items.pop(aggregate_id, None)
