"""Where a command lands: the regions of every site, unit, person and record it
names. A scoped key may act only where all of them lie inside its regions.

Regions are fixed at registration (a site's or unit's province and regency, a
person's unit), so what is learnt here is remembered by the application.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from application.commands.registry import Command, Place
from domain.alert import Alert
from domain.assignment import Assignment
from domain.checkin import CheckIn, CheckOut
from domain.correction import Correction
from domain.custody import LogisticsMovement, SealCheck
from domain.errors import NotFound
from domain.incident import Incident
from domain.neutrality import NeutralityConcern, NeutralityPledge
from domain.patrol import Patrol
from domain.site import Site
from domain.unit import Personnel, Unit
from domain.values import named_id

if TYPE_CHECKING:
    from application.unit_of_work import UnitOfWork

Named = list[tuple[str, str]]
# No region at all: a record placed nowhere is reached by unscoped keys only.
NOWHERE: Place = (None, None)


def _own(aggregate: Any) -> Named:
    return []


# What each kind of record names, by which its regions are found.
NAMED_BY: dict[type[Aggregate], Callable[[Any], Named]] = {
    Incident: lambda a: [("site", a.site_id)] if a.site_id else [],
    Patrol: lambda a: [("site", s) for s in a.route],
    Assignment: lambda a: [("site", s) for s in a.sites],
    CheckIn: lambda a: [("site", a.site_id)],
    CheckOut: lambda a: [("site", a.site_id)],
    SealCheck: lambda a: [("site", a.site_id)],
    LogisticsMovement: lambda a: [("site", a.site_id)],
    Personnel: lambda a: [("unit", a.unit_id)],
    NeutralityPledge: lambda a: (
        [("unit", a.unit_id)] if a.unit_id else [("personnel", a.personnel_id)]
    ),
    NeutralityConcern: lambda a: (
        [("unit", a.reported_unit_id)]
        if a.reported_unit_id
        else [("personnel", a.reported_personnel_id)]
    ),
    Correction: lambda a: [("event", a.event_id)],
    Alert: lambda a: (
        [("site", a.site_id)] if a.site_id else [("unit", u) for u in a.unit_ids]
    ),
}
SERVER_KINDS: dict[str, type[Aggregate]] = {
    "incident": Incident,
    "patrol": Patrol,
    "concern": NeutralityConcern,
    "assignment": Assignment,
    "alert": Alert,
}


# A requirement: the key's regions must hold at least one of these places.
Requirement = list[Place]


def places_of(kind: str, ident: str, uow: UnitOfWork) -> list[Requirement] | None:
    """What the thing a command names requires of a key's regions; None when it
    names nothing."""
    app = uow.app
    if kind in ("site", "unit"):
        aggregate_id = named_id(kind, ident)
        home = app.homes.get(aggregate_id)
        if home is None:
            cls: type[Site | Unit] = Site if kind == "site" else Unit
            try:
                found: Site | Unit = uow.get(
                    cls, aggregate_id, f"{kind}_id", ident, change=False
                )
            except NotFound:
                return None
            home = (found.province, found.regency)
        return [[home]]
    if kind == "personnel":
        aggregate_id = named_id(kind, ident)
        unit_id = app.units_of.get(aggregate_id)
        if unit_id is None:
            try:
                person = uow.get(
                    Personnel, aggregate_id, "personnel_id", ident, change=False
                )
            except NotFound:
                return None
            unit_id = person.unit_id
        return places_of("unit", unit_id, uow)
    if kind == "event":
        record = uow.record(ident)
        if record is None:
            return None
        return _aggregate(UUID(record["aggregate_id"]), uow, Aggregate)
    try:
        aggregate_id = UUID(ident)
    except ValueError:
        return None
    return _aggregate(aggregate_id, uow, SERVER_KINDS.get(kind, Aggregate))


def _aggregate(
    aggregate_id: UUID, uow: UnitOfWork, cls: type[Aggregate]
) -> list[Requirement] | None:
    try:
        found = uow.get(cls, aggregate_id, "id", str(aggregate_id), change=False)
    except NotFound:
        return None
    if isinstance(found, (Site, Unit)):
        return [[(found.province, found.regency)]]
    named = NAMED_BY.get(type(found), _own)(found)
    requirements: list[Requirement] = []
    for kind, ident in named:
        requirements += places_of(kind, ident, uow) or []
    if not requirements:
        return [[NOWHERE]]
    if isinstance(found, Patrol):
        # A patrol belongs to the regions of its route: a key in any may act on it.
        return [[place for r in requirements for place in r]]
    return requirements


def command_places(command: Command, uow: UnitOfWork) -> list[Requirement] | None:
    """What the command requires of a key's regions; None when all it names is
    unknown (it then answers that it names nothing, and writes nothing)."""
    requirements: list[Requirement] = [[p] for p in command.own_places()]
    unknown = False
    for kind, ident in command.references():
        found = places_of(kind, ident, uow)
        if found is None:
            unknown = True
        else:
            requirements += found
    if not requirements and unknown:
        return None
    return requirements or [[NOWHERE]]
