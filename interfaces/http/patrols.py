"""Patrols: planning, start, site visits, end, and the patrol board."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query

from interfaces.http import regions
from interfaces.http.deps import Caller, reader, writer
from interfaces.http.reading import Fresh, one, page
from interfaces.http.schemas import (
    ERRORS,
    Aware,
    Body,
    Condition,
    Limit,
    Name,
    Page,
    PatrolKind,
    ServerId,
    Slug,
    Text,
    WriteAnswer,
)

router = APIRouter(prefix="/api/v1", responses=ERRORS, tags=["patrols"])

Planner = Annotated[Caller, Depends(writer("patrol.plan"))]
Patroller = Annotated[Caller, Depends(writer("patrol.write"))]
Reader = Annotated[Caller, Depends(reader("patrols.read"))]


class PlanPatrol(Body):
    kind: PatrolKind
    leader_id: Slug
    unit_ids: list[Slug]
    route: list[Slug]
    planned_start: Aware | None = None
    name: Name | None = None
    occurred_at: Aware | None = None


class StartPatrol(Body):
    occurred_at: Aware


class Visit(Body):
    site_id: Slug
    arrived_at: Aware
    departed_at: Aware | None = None
    condition: Condition
    people_met: list[Name] | None = None
    notes: Text | None = None


class EndPatrol(Body):
    occurred_at: Aware
    summary: Text | None = None


def _patrol(w: Caller, patrol_id: str) -> None:
    # A patrol belongs to the regions of its route; a key in any of them may act.
    w.require(
        regions.aggregate_places(w.app, patrol_id), every=False, what="this patrol"
    )


Created = {"status_code": 201, "response_model": WriteAnswer}


@router.post("/patrols", **Created)
def plan_patrol(body: PlanPatrol, w: Planner) -> dict[str, Any]:
    for site_id in body.route:
        w.require(regions.site_places(w.app, site_id), what=f"site {site_id}")
    return w.app.plan_patrol(w.context(body), **body.fields())


@router.post("/patrols/{patrol_id}/start", **Created)
def start_patrol(
    patrol_id: ServerId, body: StartPatrol, w: Patroller
) -> dict[str, Any]:
    _patrol(w, patrol_id)
    return w.app.start_patrol(w.context(body), patrol_id, **body.fields())


@router.post("/patrols/{patrol_id}/visits", **Created)
def record_visit(patrol_id: ServerId, body: Visit, w: Patroller) -> dict[str, Any]:
    _patrol(w, patrol_id)
    w.require(regions.site_places(w.app, body.site_id), what=f"site {body.site_id}")
    fields = body.fields()
    site_id = fields.pop("site_id")
    return w.app.record_visit(w.context(body), patrol_id, site_id, **fields)


@router.post("/patrols/{patrol_id}/end", **Created)
def end_patrol(patrol_id: ServerId, body: EndPatrol, w: Patroller) -> dict[str, Any]:
    _patrol(w, patrol_id)
    return w.app.end_patrol(w.context(body), patrol_id, **body.fields())


@router.get("/patrols", response_model=Page)
def list_patrols(
    r: Reader,
    _: Fresh,
    status: Literal["planned", "active", "ended"] | None = None,
    limit: Limit = 100,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> dict[str, Any]:
    return page(
        r,
        r.request.app.state.read_model.patrols(
            status=status, scope=r.scope, limit=limit, cursor=cursor
        ),
    )


@router.get("/patrols/{patrol_id}")
def get_patrol(patrol_id: ServerId, r: Reader, _: Fresh) -> dict[str, Any]:
    rm = r.request.app.state.read_model
    return one(r, "patrol", patrol_id, lambda scope: rm.patrol(patrol_id, scope=scope))
