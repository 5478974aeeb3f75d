"""The write path: who asks, what one command writes, and the answer it gets."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.persistence import StoredEvent

from application.records import plain


@dataclass(frozen=True)
class Actor:
    """The authenticated key a command comes from."""

    id: str
    name: str
    role: str

    def as_dict(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name, "role": self.role}


SYSTEM = Actor(id="system", name="Jaga", role="system")


@dataclass(frozen=True)
class Context:
    """Who runs a command and how it can be recognised when it is retried."""

    actor: Actor
    correlation_id: str | None = None
    idempotency_key: str | None = None
    client_id: str | None = None
    # The interface may fingerprint the request itself (method, path, body).
    fingerprint: str | None = None


def fingerprint(command: str, args: dict[str, Any]) -> str:
    body = json.dumps([command, plain(args)], sort_keys=True, default=str)
    return hashlib.sha256(body.encode()).hexdigest()


@dataclass
class Write:
    """The events of one command, saved together; positions come from the log."""

    aggregate_id: str
    stored_events: Sequence[StoredEvent]
    records: list[dict[str, Any]]
    idempotency: tuple[str, str, str] | None = None  # scope, key, fingerprint
    positions: list[int] = field(default_factory=list)

    def answer(self) -> dict[str, Any]:
        events = [
            {
                "event_id": r["event_id"],
                "position": p,
                "type": r["type"],
                "recorded_at": r["recorded_at"],
            }
            for r, p in zip(self.records, self.positions, strict=True)
        ]
        return {"id": self.aggregate_id, **events[-1], "events": events}
