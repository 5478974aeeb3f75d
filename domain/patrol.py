"""Patrol: planned, started, visiting sites along its route, ended."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

from domain.errors import Conflict, InvalidValue

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
    def plan(
        cls,
        kind: str,
        leader_id: str,
        unit_ids: Sequence[str],
        route: Sequence[str],
        occurred_at: datetime,
        planned_start: datetime | None = None,
        name: str | None = None,
    ) -> Patrol:
        return cls(
            kind=kind,
            leader_id=leader_id,
            unit_ids=list(unit_ids),
            route=list(route),
            planned_start=planned_start,
            name=name or "",
            occurred_at=occurred_at,
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
        self._require_not_ended()
        if self.started:
            raise PatrolAlreadyStarted("the patrol was already started")
        self._started(occurred_at)

    @event("PatrolStarted")
    def _started(self, occurred_at: datetime) -> None:
        self.started = True

    def visit(
        self,
        site_id: str,
        arrived_at: datetime,
        condition: str,
        departed_at: datetime | None = None,
        people_met: Sequence[str] | None = None,
        notes: str | None = None,
        attachments: Sequence[dict[str, Any]] | None = None,
    ) -> None:
        if departed_at is not None and departed_at < arrived_at:
            raise InvalidValue("departed_at", "must not be before arrived_at")
        self._require_not_ended()
        if not self.started:
            raise PatrolNotStarted("start the patrol before recording a visit")
        self._visited(
            site_id,
            arrived_at,
            departed_at,
            condition,
            list(people_met or []),
            notes or "",
            arrived_at,
            list(attachments or []),
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
        attachments: list[dict[str, Any]] | None = None,
    ) -> None:
        pass

    def end(self, summary: str | None, occurred_at: datetime) -> None:
        self._require_not_ended()
        if not self.started:
            raise PatrolNotStarted("the patrol never started")
        self._ended(summary or "", occurred_at)

    @event("PatrolEnded")
    def _ended(self, summary: str, occurred_at: datetime) -> None:
        self.ended = True
