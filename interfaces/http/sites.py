"""Sites, units, personnel and assignment orders; guard duty, check-ins and custody."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path

from interfaces.http import regions
from interfaces.http.deps import Caller, writer
from interfaces.http.schemas import (
    ERRORS,
    SLUG_PATTERN,
    Aware,
    Body,
    Count,
    Direction,
    Flag,
    Lat,
    Level,
    Line,
    Lon,
    Method,
    Minutes,
    Name,
    Posture,
    SealStatus,
    ServerId,
    Short,
    SiteKind,
    Slug,
    Text,
    UnitKind,
    WriteAnswer,
    Zone,
)

router = APIRouter(prefix="/api/v1", responses=ERRORS)

SiteId = Annotated[str, Path(pattern=SLUG_PATTERN)]
Reference = Annotated[Caller, Depends(writer("reference.write"))]
Duty = Annotated[Caller, Depends(writer("duty.write"))]


class RegisterSite(Body):
    site_id: Slug
    kind: SiteKind
    name: Name
    province: Slug
    regency: Slug
    province_name: Name | None = None
    regency_name: Name | None = None
    address: Line | None = None
    timezone: Zone | None = None
    lat: Lat | None = None
    lon: Lon | None = None
    required_guards: Count | None = None
    posture: Posture | None = None
    occurred_at: Aware | None = None


class UpdateSite(Body):
    name: Name | None = None
    address: Line | None = None
    province_name: Name | None = None
    regency_name: Name | None = None
    lat: Lat | None = None
    lon: Lon | None = None
    posture: Posture | None = None
    occurred_at: Aware | None = None


class AlertLevel(Body):
    level: Level
    reason: Text
    occurred_at: Aware


class GuardRequirement(Body):
    required_guards: Count
    checkin_interval_minutes: Minutes | None = None
    patrol_interval_minutes: Minutes | None = None
    occurred_at: Aware | None = None


class Decommission(Body):
    reason: Text
    occurred_at: Aware | None = None


class RegisterUnit(Body):
    unit_id: Slug
    name: Name
    kind: UnitKind
    province: Slug | None = None
    regency: Slug | None = None
    occurred_at: Aware | None = None


class RegisterPersonnel(Body):
    personnel_id: Slug
    id_number: Short
    name: Name
    unit_id: Slug
    rank: Name | None = None
    position: Name | None = None
    occurred_at: Aware | None = None


class IssueAssignment(Body):
    unit_id: Slug
    site_id: Slug | None = None
    route: list[Slug] | None = None
    headcount: Count | None = None
    personnel_ids: list[Slug] | None = None
    starts_at: Aware
    ends_at: Aware
    checkin_interval_minutes: Minutes | None = None
    reference: Name | None = None
    occurred_at: Aware | None = None


class RevokeAssignment(Body):
    reason: Text
    occurred_at: Aware | None = None


class StartShift(Body):
    unit_id: Slug
    commander_id: Slug
    roster: list[Slug]
    occurred_at: Aware


class HandOver(Body):
    incoming_commander_id: Slug
    incoming_roster: list[Slug]
    incoming_unit_id: Slug | None = None
    observations: Text | None = None
    seals_intact: Flag | None = None
    occurred_at: Aware


class EndShift(Body):
    occurred_at: Aware
    notes: Text | None = None


class CheckIn(Body):
    personnel_id: Slug
    method: Method
    occurred_at: Aware
    lat: Lat | None = None
    lon: Lon | None = None
    device_time: Aware | None = None
    device_synced_at: Aware | None = None


class CheckOut(Body):
    personnel_id: Slug
    occurred_at: Aware


class Seals(Body):
    seal_numbers: list[Short]
    status: SealStatus
    notes: Text | None = None
    occurred_at: Aware


class LogisticsMovement(Body):
    direction: Direction
    items: Text
    from_location: Line
    to_location: Line
    escort_ids: list[Slug] | None = None
    seal_numbers: list[Short] | None = None
    occurred_at: Aware


def _site(w: Caller, site_id: str) -> None:
    w.require(regions.site_places(w.app, site_id), what=f"site {site_id}")


Created = {"status_code": 201, "response_model": WriteAnswer}


@router.post("/sites", **Created, tags=["reference data"])
def register_site(body: RegisterSite, w: Reference) -> dict[str, Any]:
    w.require([(body.province, body.regency)], what=f"{body.province}/{body.regency}")
    return w.app.register_site(w.context(body), **body.fields())


@router.post("/sites/{site_id}/updates", **Created, tags=["reference data"])
def update_site(site_id: SiteId, body: UpdateSite, w: Reference) -> dict[str, Any]:
    _site(w, site_id)
    fields = body.fields()
    occurred_at = fields.pop("occurred_at", None)
    return w.app.update_site(w.context(body), site_id, fields, occurred_at)


@router.post("/sites/{site_id}/alert-level", **Created, tags=["reference data"])
def change_alert_level(
    site_id: SiteId, body: AlertLevel, w: Reference
) -> dict[str, Any]:
    _site(w, site_id)
    return w.app.change_alert_level(w.context(body), site_id, **body.fields())


@router.post("/sites/{site_id}/guard-requirement", **Created, tags=["reference data"])
def set_guard_requirement(
    site_id: SiteId, body: GuardRequirement, w: Reference
) -> dict[str, Any]:
    _site(w, site_id)
    return w.app.set_guard_requirement(w.context(body), site_id, **body.fields())


@router.post("/sites/{site_id}/decommission", **Created, tags=["reference data"])
def decommission_site(
    site_id: SiteId, body: Decommission, w: Reference
) -> dict[str, Any]:
    _site(w, site_id)
    return w.app.decommission_site(w.context(body), site_id, **body.fields())


@router.post("/units", **Created, tags=["reference data"])
def register_unit(body: RegisterUnit, w: Reference) -> dict[str, Any]:
    w.require([(body.province, body.regency)], what="the unit's region")
    return w.app.register_unit(w.context(body), **body.fields())


@router.post("/personnel", **Created, tags=["reference data"])
def register_personnel(body: RegisterPersonnel, w: Reference) -> dict[str, Any]:
    w.require(regions.unit_places(w.app, body.unit_id), what=f"unit {body.unit_id}")
    return w.app.register_personnel(w.context(body), **body.fields())


@router.post("/assignments", **Created, tags=["reference data"])
def issue_assignment(body: IssueAssignment, w: Reference) -> dict[str, Any]:
    for site_id in [body.site_id] if body.site_id else (body.route or []):
        _site(w, site_id)
    return w.app.issue_assignment(w.context(body), **body.fields())


@router.post("/assignments/{assignment_id}/revoke", **Created, tags=["reference data"])
def revoke_assignment(
    assignment_id: ServerId, body: RevokeAssignment, w: Reference
) -> dict[str, Any]:
    w.require(regions.aggregate_places(w.app, assignment_id), what="this assignment")
    return w.app.revoke_assignment(w.context(body), assignment_id, **body.fields())


@router.post("/sites/{site_id}/shifts", **Created, tags=["guard duty"])
def start_shift(site_id: SiteId, body: StartShift, w: Duty) -> dict[str, Any]:
    _site(w, site_id)
    return w.app.start_shift(w.context(body), site_id, **body.fields())


@router.post(
    "/sites/{site_id}/shifts/{shift_id}/handover", **Created, tags=["guard duty"]
)
def hand_over(
    site_id: SiteId, shift_id: ServerId, body: HandOver, w: Duty
) -> dict[str, Any]:
    _site(w, site_id)
    return w.app.hand_over(w.context(body), site_id, shift_id, **body.fields())


@router.post("/sites/{site_id}/shifts/{shift_id}/end", **Created, tags=["guard duty"])
def end_shift(
    site_id: SiteId, shift_id: ServerId, body: EndShift, w: Duty
) -> dict[str, Any]:
    _site(w, site_id)
    return w.app.end_shift(w.context(body), site_id, shift_id, **body.fields())


@router.post("/sites/{site_id}/check-ins", **Created, tags=["guard duty"])
def check_in(site_id: SiteId, body: CheckIn, w: Duty) -> dict[str, Any]:
    _site(w, site_id)
    return w.app.check_in(w.context(body), site_id, **body.fields())


@router.post("/sites/{site_id}/check-outs", **Created, tags=["guard duty"])
def check_out(site_id: SiteId, body: CheckOut, w: Duty) -> dict[str, Any]:
    _site(w, site_id)
    return w.app.check_out(w.context(body), site_id, **body.fields())


@router.post("/sites/{site_id}/seals", **Created, tags=["custody"])
def record_seals(site_id: SiteId, body: Seals, w: Duty) -> dict[str, Any]:
    _site(w, site_id)
    return w.app.record_seals(w.context(body), site_id, **body.fields())


@router.post("/sites/{site_id}/logistics-movements", **Created, tags=["custody"])
def record_logistics_movement(
    site_id: SiteId, body: LogisticsMovement, w: Duty
) -> dict[str, Any]:
    _site(w, site_id)
    return w.app.record_logistics_movement(w.context(body), site_id, **body.fields())
