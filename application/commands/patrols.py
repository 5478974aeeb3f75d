"""Patrols: planning (ops); start, site visits and end (field, ops)."""

from __future__ import annotations

from typing import ClassVar

from application.commands.fields import (
    Attachments,
    Aware,
    Condition,
    Notes,
    OptionalName,
    OptionalText,
    PatrolKind,
    PatrolRef,
    PersonRef,
    SiteRef,
    SiteRefs,
    UnitRefs,
)
from application.commands.registry import Command, Decision
from application.unit_of_work import UnitOfWork, server_id
from domain.patrol import Patrol


def _patrol(uow: UnitOfWork, patrol_id: str) -> Patrol:
    return uow.get(
        Patrol, server_id(patrol_id, "patrol_id"), "patrol_id", patrol_id, change=True
    )


class PlanPatrol(Command):
    """Plans a patrol: its kind, leader, units taking part and route of sites."""

    path: ClassVar[str] = "/patrols"
    right: ClassVar[str] = "patrol.plan"
    records: ClassVar[tuple[str, ...]] = ("PatrolPlanned",)
    tag: ClassVar[str] = "patrols"

    kind: PatrolKind
    leader_id: PersonRef
    unit_ids: UnitRefs
    route: SiteRefs
    planned_start: Aware | None = None
    name: OptionalName | None = None
    occurred_at: Aware | None = None

    def decide(self, uow: UnitOfWork) -> Decision:
        patrol = Patrol.plan(
            self.kind,
            self.leader_id,
            self.unit_ids,
            self.route,
            uow.field_time(self.occurred_at),
            planned_start=self.planned_start,
            name=self.name,
        )
        uow.require("personnel", self.leader_id, "leader_id")
        uow.require("unit", self.unit_ids, "unit_ids")
        for i, site_id in enumerate(self.route):
            uow.site(site_id, f"route[{i}]", change=False)
        return str(patrol.id), [patrol]


class StartPatrol(Command):
    """The patrol sets out."""

    path: ClassVar[str] = "/patrols/{patrol_id}/start"
    right: ClassVar[str] = "patrol.write"
    records: ClassVar[tuple[str, ...]] = ("PatrolStarted",)
    tag: ClassVar[str] = "patrols"

    patrol_id: PatrolRef
    occurred_at: Aware

    def decide(self, uow: UnitOfWork) -> Decision:
        patrol = _patrol(uow, self.patrol_id)
        patrol.start(uow.field_time(self.occurred_at))
        return str(patrol.id), [patrol]


class RecordVisit(Command):
    """The patrol visits a site: when, what it found, whom it met."""

    path: ClassVar[str] = "/patrols/{patrol_id}/visits"
    right: ClassVar[str] = "patrol.write"
    records: ClassVar[tuple[str, ...]] = ("SiteVisited",)
    tag: ClassVar[str] = "patrols"

    patrol_id: PatrolRef
    site_id: SiteRef
    arrived_at: Aware
    departed_at: Aware | None = None
    condition: Condition
    people_met: Notes | None = None
    notes: OptionalText | None = None
    attachments: Attachments | None = None

    def decide(self, uow: UnitOfWork) -> Decision:
        patrol = _patrol(uow, self.patrol_id)
        site = uow.site(self.site_id, change=False)
        patrol.visit(
            site.site_id,
            uow.field_time(self.arrived_at, "arrived_at"),
            self.condition,
            departed_at=self.departed_at,
            people_met=self.people_met,
            notes=self.notes,
            attachments=uow.attachments(self.attachments),
        )
        return str(patrol.id), [patrol]


class EndPatrol(Command):
    """The patrol ends, with its summary."""

    path: ClassVar[str] = "/patrols/{patrol_id}/end"
    right: ClassVar[str] = "patrol.write"
    records: ClassVar[tuple[str, ...]] = ("PatrolEnded",)
    tag: ClassVar[str] = "patrols"

    patrol_id: PatrolRef
    occurred_at: Aware
    summary: OptionalText | None = None

    def decide(self, uow: UnitOfWork) -> Decision:
        patrol = _patrol(uow, self.patrol_id)
        patrol.end(self.summary, uow.field_time(self.occurred_at))
        return str(patrol.id), [patrol]
