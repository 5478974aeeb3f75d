"""Patrol: planned, started, visiting sites along its route, ended."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

from domain import values as v
from domain.errors import Conflict

KINDS = ("routine", "joint", "dialogic", "kryd")
CONDITIONS = ("aman", "waspada", "rawan")


class PatrolNotStarted(Conflict):
    """The patrol has not started yet."""


class PatrolAlreadyStarted(Conflict):
    """The patrol was started before."""


class PatrolAlreadyEnded(Conflict):
    """The patrol has ended; nothing more can be recorded on it."""


class Patrol(Aggregate):
    @staticmethod
    def create_id() -> UUID:
        return uuid4()

    @classmethod
    def plan(cls, occurred_at: datetime, **raw: Any) -> Patrol:
        return cls(
            kind=v.choice(raw.get("kind"), "kind", KINDS),
            leader_id=v.slug(raw.get("leader_id"), "leader_id"),
            unit_ids=v.slugs(raw.get("unit_ids"), "unit_ids"),
            route=v.slugs(raw.get("route"), "route"),
            planned_start=v.optional_aware(raw.get("planned_start"), "planned_start"),
            name=v.text(raw.get("name"), "name", required=False, limit=200),
            occurred_at=v.aware(occurred_at, "occurred_at"),
        )

    @event("PatrolPlanned")
    def __init__(
        self,
        kind: str,
        leader_id: str,
        unit_ids: list[str],
        route: list[str],
        planned_start: datetime | None,
        name: str,
        occurred_at: datetime,
    ) -> None:
        self.kind = kind
        self.route = route
        self.started = False
        self.ended = False

    def _require_not_ended(self) -> None:
        if self.ended:
            raise PatrolAlreadyEnded("the patrol has ended")

    def start(self, occurred_at: datetime) -> None:
        when = v.aware(occurred_at, "occurred_at")
        self._require_not_ended()
        if self.started:
            raise PatrolAlreadyStarted("the patrol was already started")
        self._started(when)

    @event("PatrolStarted")
    def _started(self, occurred_at: datetime) -> None:
        self.started = True

    def visit(self, site_id: str, **raw: Any) -> None:
        arrived_at = v.aware(raw.get("arrived_at"), "arrived_at")
        departed_at = v.optional_aware(raw.get("departed_at"), "departed_at")
        v.ordered(arrived_at, departed_at, "departed_at", "arrived_at")
        condition = v.choice(raw.get("condition"), "condition", CONDITIONS)
        people_met = v.texts(raw.get("people_met"), "people_met", limit=300)
        notes = v.text(raw.get("notes"), "notes", required=False)
        self._require_not_ended()
        if not self.started:
            raise PatrolNotStarted("start the patrol before recording a visit")
        self._visited(
            site_id, arrived_at, departed_at, condition, people_met, notes, arrived_at
        )

    @event("SiteVisited")
    def _visited(
        self,
        site_id: str,
        arrived_at: datetime,
        departed_at: datetime | None,
        condition: str,
        people_met: list[str],
        notes: str,
        occurred_at: datetime,
    ) -> None:
        pass

    def end(self, summary: object, occurred_at: datetime) -> None:
        text = v.text(summary, "summary", required=False)
        when = v.aware(occurred_at, "occurred_at")
        self._require_not_ended()
        if not self.started:
            raise PatrolNotStarted("the patrol never started")
        self._ended(text, when)

    @event("PatrolEnded")
    def _ended(self, summary: str, occurred_at: datetime) -> None:
        self.ended = True
