"""Where a write lands: the regions of the sites, units and records it touches.

A target that does not exist has no region here; the command itself then names it
as unknown (404), so nothing is written either way. Regions are fixed at
registration, so the application's memory of them answers before the store.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from application.app import Jaga
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
from domain.values import named_id, slug

Place = tuple[str | None, str | None]


def site_places(app: Jaga, site_id: object) -> list[Place] | None:
    try:
        home = app.homes.get(named_id("site", slug(site_id, "site_id")))
        if home is not None:
            return [home]
        site = app.site(site_id)
    except (NotFound, ValueError):
        return None
    return [(site.province, site.regency)]


def unit_places(app: Jaga, unit_id: object) -> list[Place] | None:
    if not isinstance(unit_id, str):
        return None
    home = app.homes.get(named_id("unit", unit_id))
    if home is not None:
        return [home]
    try:
        unit = app.load(Unit, named_id("unit", unit_id), "unit_id", unit_id)
    except NotFound:
        return None
    return [(unit.province, unit.regency)]


def personnel_places(app: Jaga, personnel_id: object) -> list[Place] | None:
    if not isinstance(personnel_id, str):
        return None
    unit_id = app.units_of.get(named_id("personnel", personnel_id))
    if unit_id is not None:
        return unit_places(app, unit_id)
    try:
        person = app.load(
            Personnel, named_id("personnel", personnel_id), "personnel_id", personnel_id
        )
    except NotFound:
        return None
    return unit_places(app, person.unit_id)


def _aggregate(app: Jaga, aggregate_id: object) -> Any | None:
    try:
        return app.repository.get(UUID(str(aggregate_id)))
    except (AggregateNotFoundError, ValueError):
        return None


def aggregate_places(app: Jaga, aggregate_id: object) -> list[Place] | None:
    """The regions of any recorded aggregate, by what it is about."""
    found = _aggregate(app, aggregate_id)
    if found is None:
        return None
    if isinstance(found, Site):
        return [(found.province, found.regency)]
    if isinstance(found, (CheckIn, CheckOut, SealCheck, LogisticsMovement)):
        return site_places(app, found.site_id)
    if isinstance(found, Incident):
        return [] if found.site_id is None else site_places(app, found.site_id)
    if isinstance(found, Patrol):
        return _many(app, found.route)
    if isinstance(found, Assignment):
        return _many(app, found.sites)
    if isinstance(found, Unit):
        return [(found.province, found.regency)]
    if isinstance(found, Personnel):
        return unit_places(app, found.unit_id)
    if isinstance(found, NeutralityPledge):
        return (
            unit_places(app, found.unit_id)
            if found.unit_id
            else personnel_places(app, found.personnel_id)
        )
    if isinstance(found, NeutralityConcern):
        return (
            unit_places(app, found.reported_unit_id)
            if found.reported_unit_id
            else personnel_places(app, found.reported_personnel_id)
        )
    if isinstance(found, Correction):
        record = app.find_record(found.event_id)
        return None if record is None else aggregate_places(app, record["aggregate_id"])
    return []


def event_places(app: Jaga, event_id: object) -> list[Place] | None:
    record = app.find_record(str(event_id))
    return None if record is None else aggregate_places(app, record["aggregate_id"])


def _many(app: Jaga, site_ids: list[str]) -> list[Place]:
    places: list[Place] = []
    for site_id in site_ids:
        places += site_places(app, site_id) or []
    return places
