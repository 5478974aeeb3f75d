"""The write path's values: who asks, what one command writes, what the store did
with it, and the answer the caller gets."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol
from uuid import UUID

from eventsourcing.persistence import StoredEvent


@dataclass(frozen=True)
class Actor:
    """The authenticated key a command comes from."""

    id: str
    name: str
    role: str

    def as_dict(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name, "role": self.role}


SYSTEM = Actor(id="system", name="Jaga", role="system")  # access.SYSTEM_ROLE


# A key's regions as (province, regency or None); None means everywhere.
Scope = Sequence[tuple[str, str | None]] | None


@dataclass(frozen=True)
class Context:
    """Who runs a command, where they may act, and how a retry is recognised."""

    actor: Actor
    correlation_id: str | None = None
    idempotency_key: str | None = None
    client_id: str | None = None
    scope: Scope = None
    # The server's clock for this command: when its events are recorded, and what
    # "now" is to its checks. None is the application's clock; the demo passes the
    # clock of its story, so it is recorded as it would have been.
    clock: Callable[[], datetime] | None = None


@dataclass(frozen=True)
class Idempotency:
    """A caller's key for one write: a retry with it answers as the first did."""

    scope: str  # the key's owner (the API key id)
    key: str
    fingerprint: str  # of the request, so another body under the key is refused


# What the decision saw of an aggregate: its version then (0: it did not exist;
# EXISTS: it existed, at whatever version).
EXISTS = -1
Expectation = tuple[UUID, int]


@dataclass(frozen=True)
class PreparedWrite:
    """The events of one command, ready for the store.

    Everything is computed before the store's write lock is taken: the stored
    events, their ids and leaf hashes, and the versions the decision was made on.
    The store assigns positions; a write whose expectations no longer hold is not
    stored (another writer changed what it was decided on, or an earlier write it
    built on was not stored).
    """

    answer_id: str
    events: tuple[StoredEvent, ...]
    event_ids: tuple[str, ...]
    types: tuple[str, ...]
    recorded_at: tuple[str, ...]
    leaf_hashes: tuple[bytes, ...]
    expects: tuple[Expectation, ...]
    idempotency: Idempotency | None = None
    # Events of earlier writes, not stored when this was decided, that it built
    # on: if one is not stored, neither is this write.
    needs: tuple[str, ...] = ()

    def answer(self, first_position: int) -> dict[str, Any]:
        return answer_with_positions(self.answer_template(), first_position)

    def answer_template(self) -> dict[str, Any]:
        """The answer without positions, as kept beside an idempotency key."""
        return {
            "id": self.answer_id,
            "events": [
                {"event_id": e, "type": t, "recorded_at": r}
                for e, t, r in zip(
                    self.event_ids, self.types, self.recorded_at, strict=True
                )
            ],
        }

    def size(self) -> int:
        """Bytes the events carry: what the store's work under its lock grows with."""
        return sum(len(e.state) for e in self.events)


def answer_with_positions(template: dict[str, Any], first: int) -> dict[str, Any]:
    """The answer of a write whose events start at `first` (they are consecutive)."""
    events = [{**e, "position": first + i} for i, e in enumerate(template["events"])]
    return {"id": template["id"], **events[-1], "events": events}


class EarlierAnswer(dict[str, Any]):
    """The answer given before to the same idempotency key: nothing was written."""


Status = Literal["stored", "stored_before", "conflict", "key_taken"]


@dataclass(frozen=True)
class Appended:
    """What the store did with one write.

    stored: its events are in the log from `first_position` on. stored_before:
    they were already (a retry of an append whose answer was lost). conflict: an
    expectation failed, nothing was stored. key_taken: its idempotency key answered
    an earlier write, whose fingerprint and answer are given.
    """

    status: Status
    first_position: int | None = None
    earlier_fingerprint: str | None = None
    earlier_answer: dict[str, Any] | None = None


class EventStore(Protocol):
    """What the application needs to append: one transaction, all or nothing."""

    def append(self, writes: Sequence[PreparedWrite]) -> list[Appended]:
        """Stores the writes whose expectations hold, in order, with their
        positions, leaves, Merkle nodes and idempotency keys, or raises and stores
        nothing."""
        ...
