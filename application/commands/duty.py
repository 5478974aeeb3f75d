"""Guard duty, check-ins and logistics custody at a site (field, ops)."""

from __future__ import annotations

from typing import ClassVar
from uuid import uuid4

from application.commands.fields import (
    Attachments,
    Aware,
    Direction,
    Flag,
    Items,
    Lat,
    Location,
    Lon,
    Method,
    OptionalText,
    PersonRef,
    PersonRefs,
    SealNumbers,
    SealStatus,
    ServerId,
    SiteRef,
    SomePersonRefs,
    SomeSealNumbers,
    UnitRef,
)
from application.commands.registry import Command, Decision
from application.unit_of_work import UnitOfWork
from domain import checkin, custody

DUTY = "duty.write"


class StartShift(Command):
    """A team goes on duty at a site: its unit, commander and roster."""

    path: ClassVar[str] = "/sites/{site_id}/shifts"
    right: ClassVar[str] = DUTY
    records: ClassVar[tuple[str, ...]] = ("ShiftStarted",)
    tag: ClassVar[str] = "guard duty"

    site_id: SiteRef
    unit_id: UnitRef
    commander_id: PersonRef
    roster: PersonRefs
    occurred_at: Aware

    def decide(self, uow: UnitOfWork) -> Decision:
        shift_id = str(uuid4())
        site = uow.site(self.site_id, change=True)
        uow.require("unit", self.unit_id, "unit_id")
        uow.require("personnel", self.commander_id, "commander_id")
        uow.require("personnel", self.roster, "roster")
        site.start_shift(
            shift_id,
            self.unit_id,
            self.commander_id,
            self.roster,
            uow.field_time(self.occurred_at),
        )
        return shift_id, [site]


class HandOver(Command):
    """The team on duty hands the site over to the next team."""

    path: ClassVar[str] = "/sites/{site_id}/shifts/{shift_id}/handover"
    right: ClassVar[str] = DUTY
    records: ClassVar[tuple[str, ...]] = ("ShiftHandedOver",)
    tag: ClassVar[str] = "guard duty"

    site_id: SiteRef
    shift_id: ServerId
    incoming_commander_id: PersonRef
    incoming_roster: PersonRefs
    incoming_unit_id: UnitRef | None = None
    observations: OptionalText | None = None
    seals_intact: Flag | None = None
    attachments: Attachments | None = None
    occurred_at: Aware

    def decide(self, uow: UnitOfWork) -> Decision:
        incoming_shift_id = str(uuid4())
        site = uow.site(self.site_id, change=True)
        uow.require("unit", self.incoming_unit_id, "incoming_unit_id")
        uow.require("personnel", self.incoming_commander_id, "incoming_commander_id")
        uow.require("personnel", self.incoming_roster, "incoming_roster")
        site.hand_over(
            self.shift_id,
            incoming_shift_id,
            incoming_commander_id=self.incoming_commander_id,
            incoming_roster=self.incoming_roster,
            incoming_unit_id=self.incoming_unit_id,
            observations=self.observations,
            seals_intact=self.seals_intact,
            occurred_at=uow.field_time(self.occurred_at),
            attachments=uow.attachments(self.attachments),
        )
        return incoming_shift_id, [site]


class EndShift(Command):
    """The team on duty leaves and nobody takes over."""

    path: ClassVar[str] = "/sites/{site_id}/shifts/{shift_id}/end"
    right: ClassVar[str] = DUTY
    records: ClassVar[tuple[str, ...]] = ("ShiftEnded",)
    tag: ClassVar[str] = "guard duty"

    site_id: SiteRef
    shift_id: ServerId
    occurred_at: Aware
    notes: OptionalText | None = None

    def decide(self, uow: UnitOfWork) -> Decision:
        site = uow.site(self.site_id, change=True)
        site.end_shift(self.shift_id, self.notes, uow.field_time(self.occurred_at))
        return self.shift_id, [site]


class CheckIn(Command):
    """A person checks in at a site (by QR, NFC, GPS or by hand)."""

    path: ClassVar[str] = "/sites/{site_id}/check-ins"
    right: ClassVar[str] = DUTY
    records: ClassVar[tuple[str, ...]] = ("CheckedIn",)
    tag: ClassVar[str] = "guard duty"

    site_id: SiteRef
    personnel_id: PersonRef
    method: Method
    occurred_at: Aware
    lat: Lat | None = None
    lon: Lon | None = None
    device_time: Aware | None = None
    device_synced_at: Aware | None = None
    resent_fields: ClassVar[frozenset[str]] = frozenset({"device_synced_at"})

    def decide(self, uow: UnitOfWork) -> Decision:
        site = uow.active_site(self.site_id)
        uow.require("personnel", self.personnel_id, "personnel_id")
        record = checkin.CheckIn.record(
            site.site_id,
            self.personnel_id,
            self.method,
            uow.field_time(self.occurred_at),
            lat=self.lat,
            lon=self.lon,
            device_time=self.device_time,
            device_synced_at=self.device_synced_at,
        )
        return str(record.id), [record]


class CheckOut(Command):
    """A person leaves a site."""

    path: ClassVar[str] = "/sites/{site_id}/check-outs"
    right: ClassVar[str] = DUTY
    records: ClassVar[tuple[str, ...]] = ("CheckedOut",)
    tag: ClassVar[str] = "guard duty"

    site_id: SiteRef
    personnel_id: PersonRef
    occurred_at: Aware

    def decide(self, uow: UnitOfWork) -> Decision:
        site = uow.active_site(self.site_id)
        uow.require("personnel", self.personnel_id, "personnel_id")
        record = checkin.CheckOut.record(
            site.site_id, self.personnel_id, uow.field_time(self.occurred_at)
        )
        return str(record.id), [record]


class RecordSeals(Command):
    """The seals on a warehouse door or ballot boxes, found intact or broken."""

    path: ClassVar[str] = "/sites/{site_id}/seals"
    right: ClassVar[str] = DUTY
    records: ClassVar[tuple[str, ...]] = ("SealRecorded",)
    tag: ClassVar[str] = "custody"

    site_id: SiteRef
    seal_numbers: SealNumbers
    status: SealStatus
    notes: OptionalText | None = None
    attachments: Attachments | None = None
    occurred_at: Aware

    def decide(self, uow: UnitOfWork) -> Decision:
        site = uow.active_site(self.site_id)
        record = custody.SealCheck.record(
            site.site_id,
            self.seal_numbers,
            self.status,
            uow.field_time(self.occurred_at),
            notes=self.notes,
            attachments=uow.attachments(self.attachments),
        )
        return str(record.id), [record]


class RecordLogisticsMovement(Command):
    """Election logistics leaving or arriving at a site, and who escorted them."""

    path: ClassVar[str] = "/sites/{site_id}/logistics-movements"
    right: ClassVar[str] = DUTY
    records: ClassVar[tuple[str, ...]] = ("LogisticsMoved",)
    tag: ClassVar[str] = "custody"

    site_id: SiteRef
    direction: Direction
    items: Items
    from_location: Location
    to_location: Location
    escort_ids: SomePersonRefs | None = None
    seal_numbers: SomeSealNumbers | None = None
    occurred_at: Aware

    def decide(self, uow: UnitOfWork) -> Decision:
        site = uow.active_site(self.site_id)
        uow.require("personnel", self.escort_ids, "escort_ids")
        record = custody.LogisticsMovement.record(
            site.site_id,
            self.direction,
            self.items,
            self.from_location,
            self.to_location,
            uow.field_time(self.occurred_at),
            escort_ids=self.escort_ids,
            seal_numbers=self.seal_numbers,
        )
        return str(record.id), [record]
