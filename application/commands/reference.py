"""Reference data: sites, units, personnel and assignment orders (ops)."""

from __future__ import annotations

from typing import ClassVar

from application.commands.fields import (
    AssignmentRef,
    Aware,
    CheckinMinutes,
    Count,
    Headcount,
    Lat,
    Level,
    Lon,
    Name,
    OptionalLine,
    OptionalName,
    PatrolMinutes,
    PersonRefs,
    Posture,
    Reason,
    Short,
    SiteKind,
    SiteRef,
    SiteRefs,
    Slug,
    UnitKind,
    UnitRef,
    Zone,
)
from application.commands.registry import Command, Decision, Place
from application.unit_of_work import UnitOfWork, server_id
from domain.assignment import Assignment
from domain.errors import AlreadyRegistered
from domain.site import Site
from domain.unit import Personnel, Unit


def _new(uow: UnitOfWork, kind: str, ident: str) -> None:
    if uow.exists(kind, ident):
        raise AlreadyRegistered(f"{kind} {ident} is already registered", id=ident)


class RegisterSite(Command):
    """Registers an election site under guard."""

    path: ClassVar[str] = "/sites"
    right: ClassVar[str] = "reference.write"
    records: ClassVar[tuple[str, ...]] = ("SiteRegistered",)
    tag: ClassVar[str] = "reference data"
    in_memory: ClassVar[bool] = False

    site_id: Slug
    kind: SiteKind
    name: Name
    province: Slug
    regency: Slug
    province_name: OptionalName | None = None
    regency_name: OptionalName | None = None
    address: OptionalLine | None = None
    timezone: Zone | None = None
    lat: Lat | None = None
    lon: Lon | None = None
    required_guards: Count | None = None
    posture: Posture | None = None
    occurred_at: Aware | None = None

    def own_places(self) -> list[Place]:
        return [(self.province, self.regency)]

    def decide(self, uow: UnitOfWork) -> Decision:
        _new(uow, "site", self.site_id)
        fields = self.model_dump(exclude={"occurred_at"})
        site = Site.register(**fields, occurred_at=uow.field_time(self.occurred_at))
        return site.site_id, [site]


class UpdateSite(Command):
    """Changes a site's name, address, region names, position or posture."""

    path: ClassVar[str] = "/sites/{site_id}/updates"
    right: ClassVar[str] = "reference.write"
    records: ClassVar[tuple[str, ...]] = ("SiteUpdated",)
    tag: ClassVar[str] = "reference data"

    site_id: SiteRef
    name: Name | None = None
    address: OptionalLine | None = None
    province_name: OptionalName | None = None
    regency_name: OptionalName | None = None
    lat: Lat | None = None
    lon: Lon | None = None
    posture: Posture | None = None
    occurred_at: Aware | None = None

    def decide(self, uow: UnitOfWork) -> Decision:
        site = uow.site(self.site_id, change=True)
        changes = self.model_dump(
            exclude_unset=True, exclude={"site_id", "occurred_at"}
        )
        site.update(changes, uow.field_time(self.occurred_at))
        return site.site_id, [site]


class SetGuardRequirement(Command):
    """Sets how many guards a site needs and how often they check in and are
    visited by patrols."""

    path: ClassVar[str] = "/sites/{site_id}/guard-requirement"
    right: ClassVar[str] = "reference.write"
    records: ClassVar[tuple[str, ...]] = ("GuardRequirementSet",)
    tag: ClassVar[str] = "reference data"

    site_id: SiteRef
    required_guards: Count
    checkin_interval_minutes: CheckinMinutes | None = None
    patrol_interval_minutes: PatrolMinutes | None = None
    occurred_at: Aware | None = None

    def decide(self, uow: UnitOfWork) -> Decision:
        site = uow.site(self.site_id, change=True)
        site.set_guard_requirement(
            self.required_guards,
            self.checkin_interval_minutes,
            self.patrol_interval_minutes,
            uow.field_time(self.occurred_at),
        )
        return site.site_id, [site]


class ChangeAlertLevel(Command):
    """Raises or lowers a site's alert level (normal, waspada, siaga, awas)."""

    path: ClassVar[str] = "/sites/{site_id}/alert-level"
    right: ClassVar[str] = "reference.write"
    records: ClassVar[tuple[str, ...]] = ("AlertLevelChanged",)
    tag: ClassVar[str] = "reference data"

    site_id: SiteRef
    level: Level
    reason: Reason
    occurred_at: Aware

    def decide(self, uow: UnitOfWork) -> Decision:
        site = uow.site(self.site_id, change=True)
        site.change_alert_level(
            self.level, self.reason, uow.field_time(self.occurred_at)
        )
        return site.site_id, [site]


class DecommissionSite(Command):
    """Ends the guarding of a site; nothing more is recorded there."""

    path: ClassVar[str] = "/sites/{site_id}/decommission"
    right: ClassVar[str] = "reference.write"
    records: ClassVar[tuple[str, ...]] = ("SiteDecommissioned",)
    tag: ClassVar[str] = "reference data"

    site_id: SiteRef
    reason: Reason
    occurred_at: Aware | None = None

    def decide(self, uow: UnitOfWork) -> Decision:
        site = uow.site(self.site_id, change=True)
        site.decommission(self.reason, uow.field_time(self.occurred_at))
        return site.site_id, [site]


class RegisterUnit(Command):
    """Registers a police, military or civil unit."""

    path: ClassVar[str] = "/units"
    right: ClassVar[str] = "reference.write"
    records: ClassVar[tuple[str, ...]] = ("UnitRegistered",)
    tag: ClassVar[str] = "reference data"
    in_memory: ClassVar[bool] = False

    unit_id: Slug
    name: Name
    kind: UnitKind
    province: Slug | None = None
    regency: Slug | None = None
    occurred_at: Aware | None = None

    def own_places(self) -> list[Place]:
        return [(self.province, self.regency)]

    def decide(self, uow: UnitOfWork) -> Decision:
        _new(uow, "unit", self.unit_id)
        fields = self.model_dump(exclude={"occurred_at"})
        unit = Unit.register(**fields, occurred_at=uow.field_time(self.occurred_at))
        return unit.unit_id, [unit]


class RegisterPersonnel(Command):
    """Registers a person of a unit, with their NRP/NIP."""

    path: ClassVar[str] = "/personnel"
    right: ClassVar[str] = "reference.write"
    records: ClassVar[tuple[str, ...]] = ("PersonnelRegistered",)
    tag: ClassVar[str] = "reference data"
    in_memory: ClassVar[bool] = False

    personnel_id: Slug
    id_number: Short
    name: Name
    unit_id: UnitRef
    rank: OptionalName | None = None
    position: OptionalName | None = None
    occurred_at: Aware | None = None

    def decide(self, uow: UnitOfWork) -> Decision:
        uow.require("unit", self.unit_id, "unit_id")
        _new(uow, "personnel", self.personnel_id)
        fields = self.model_dump(exclude={"occurred_at"})
        person = Personnel.register(
            **fields, occurred_at=uow.field_time(self.occurred_at)
        )
        return person.personnel_id, [person]


class IssueAssignment(Command):
    """An assignment order (Sprint): which unit, how many or which people, guard
    which site or patrol which route, over which period."""

    path: ClassVar[str] = "/assignments"
    right: ClassVar[str] = "reference.write"
    records: ClassVar[tuple[str, ...]] = ("AssignmentIssued",)
    tag: ClassVar[str] = "reference data"

    unit_id: UnitRef
    site_id: SiteRef | None = None
    route: SiteRefs | None = None
    headcount: Headcount | None = None
    personnel_ids: PersonRefs | None = None
    starts_at: Aware
    ends_at: Aware
    checkin_interval_minutes: CheckinMinutes | None = None
    reference: OptionalName | None = None
    occurred_at: Aware | None = None

    def decide(self, uow: UnitOfWork) -> Decision:
        fields = self.model_dump(exclude={"occurred_at"})
        order = Assignment.issue(**fields, occurred_at=uow.field_time(self.occurred_at))
        uow.require("unit", self.unit_id, "unit_id")
        for i, site_id in enumerate(order.sites):
            uow.site(
                site_id, "site_id" if self.site_id else f"route[{i}]", change=False
            )
        uow.require("personnel", self.personnel_ids, "personnel_ids")
        return str(order.id), [order]


class RevokeAssignment(Command):
    """Revokes an assignment order."""

    path: ClassVar[str] = "/assignments/{assignment_id}/revoke"
    right: ClassVar[str] = "reference.write"
    records: ClassVar[tuple[str, ...]] = ("AssignmentRevoked",)
    tag: ClassVar[str] = "reference data"

    assignment_id: AssignmentRef
    reason: Reason
    occurred_at: Aware | None = None

    def decide(self, uow: UnitOfWork) -> Decision:
        order = uow.get(
            Assignment,
            server_id(self.assignment_id, "assignment_id"),
            "assignment_id",
            self.assignment_id,
            change=True,
        )
        order.revoke(self.reason, uow.field_time(self.occurred_at))
        return str(order.id), [order]
