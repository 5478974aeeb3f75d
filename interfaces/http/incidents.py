"""Incidents: the report, the response that follows, and the incident board."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query

from interfaces.http import regions
from interfaces.http.deps import Caller, reader, writer
from interfaces.http.errors import forbidden
from interfaces.http.reading import Fresh, one, page
from interfaces.http.schemas import (
    ERRORS,
    Aware,
    Body,
    Category,
    Limit,
    Line,
    Name,
    Page,
    ServerId,
    Severity,
    Slug,
    Text,
    WriteAnswer,
)

router = APIRouter(prefix="/api/v1", responses=ERRORS, tags=["incidents"])

Responder = Annotated[Caller, Depends(writer("incident.write"))]
Reader = Annotated[Caller, Depends(reader("incidents.read"))]


class ReportIncident(Body):
    category: Category
    severity: Severity
    description: Text
    occurred_at: Aware
    site_id: Slug | None = None
    location: Line | None = None
    reporter: Name | None = None
    involved_unit_ids: list[Slug] | None = None
    involved_personnel_ids: list[Slug] | None = None


class Acknowledge(Body):
    occurred_at: Aware
    by: Name | None = None


class BackupRequest(Body):
    occurred_at: Aware
    units: list[Slug] | None = None
    notes: Text | None = None


class BackupArrival(Body):
    occurred_at: Aware
    unit_id: Slug | None = None


class Escalation(Body):
    severity: Severity
    reason: Text
    occurred_at: Aware


class Note(Body):
    text: Text
    occurred_at: Aware


class Resolve(Body):
    resolution: Text
    occurred_at: Aware


class Close(Body):
    occurred_at: Aware


class Reopen(Body):
    reason: Text
    occurred_at: Aware


def _incident(w: Caller, incident_id: str) -> None:
    w.require(regions.aggregate_places(w.app, incident_id), what="this incident")


Created = {"status_code": 201, "response_model": WriteAnswer}


@router.post("/incidents", **Created)
def report_incident(body: ReportIncident, w: Responder) -> dict[str, Any]:
    if body.site_id is not None:
        w.require(regions.site_places(w.app, body.site_id), what=f"site {body.site_id}")
    elif w.scope is not None:
        raise forbidden("a key limited to regions must name the incident's site_id")
    return w.app.report_incident(w.context(body), **body.fields())


@router.post("/incidents/{incident_id}/acknowledge", **Created)
def acknowledge_incident(
    incident_id: ServerId, body: Acknowledge, w: Responder
) -> dict[str, Any]:
    _incident(w, incident_id)
    return w.app.acknowledge_incident(w.context(body), incident_id, **body.fields())


@router.post("/incidents/{incident_id}/backup-requests", **Created)
def request_backup(
    incident_id: ServerId, body: BackupRequest, w: Responder
) -> dict[str, Any]:
    _incident(w, incident_id)
    return w.app.request_backup(w.context(body), incident_id, **body.fields())


@router.post("/incidents/{incident_id}/backup-arrivals", **Created)
def record_backup_arrival(
    incident_id: ServerId, body: BackupArrival, w: Responder
) -> dict[str, Any]:
    _incident(w, incident_id)
    return w.app.record_backup_arrival(w.context(body), incident_id, **body.fields())


@router.post("/incidents/{incident_id}/escalations", **Created)
def escalate_incident(
    incident_id: ServerId, body: Escalation, w: Responder
) -> dict[str, Any]:
    _incident(w, incident_id)
    return w.app.escalate_incident(w.context(body), incident_id, **body.fields())


@router.post("/incidents/{incident_id}/notes", **Created)
def add_incident_note(
    incident_id: ServerId, body: Note, w: Responder
) -> dict[str, Any]:
    _incident(w, incident_id)
    return w.app.add_incident_note(w.context(body), incident_id, **body.fields())


@router.post("/incidents/{incident_id}/resolve", **Created)
def resolve_incident(
    incident_id: ServerId, body: Resolve, w: Responder
) -> dict[str, Any]:
    _incident(w, incident_id)
    return w.app.resolve_incident(w.context(body), incident_id, **body.fields())


@router.post("/incidents/{incident_id}/close", **Created)
def close_incident(incident_id: ServerId, body: Close, w: Responder) -> dict[str, Any]:
    _incident(w, incident_id)
    return w.app.close_incident(w.context(body), incident_id, **body.fields())


@router.post("/incidents/{incident_id}/reopen", **Created)
def reopen_incident(
    incident_id: ServerId, body: Reopen, w: Responder
) -> dict[str, Any]:
    _incident(w, incident_id)
    return w.app.reopen_incident(w.context(body), incident_id, **body.fields())


@router.get("/incidents", response_model=Page)
def list_incidents(
    r: Reader,
    _: Fresh,
    status: Literal["open", "resolved", "closed"] | None = None,
    min_severity: Annotated[int | None, Query(ge=1, le=4)] = None,
    site_id: Annotated[Slug | None, Query()] = None,
    limit: Limit = 100,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> dict[str, Any]:
    return page(
        r,
        r.request.app.state.read_model.incidents(
            status=status,
            min_severity=min_severity,
            site_id=site_id,
            scope=r.scope,
            limit=limit,
            cursor=cursor,
        ),
    )


@router.get("/incidents/{incident_id}")
def get_incident(incident_id: ServerId, r: Reader, _: Fresh) -> dict[str, Any]:
    rm = r.request.app.state.read_model
    return one(
        r, "incident", incident_id, lambda scope: rm.incident(incident_id, scope=scope)
    )
