"""Neutrality of TNI/Polri: pledges, concerns, Bawaslu reviews and the register."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from interfaces.http import regions
from interfaces.http.deps import Caller, reader, writer
from interfaces.http.reading import Fresh, for_caller
from interfaces.http.schemas import (
    ERRORS,
    Aware,
    Body,
    Finding,
    Forward,
    Line,
    Name,
    ServerId,
    Slug,
    Text,
    WriteAnswer,
)

router = APIRouter(prefix="/api/v1/neutrality", responses=ERRORS, tags=["neutrality"])

Pledger = Annotated[Caller, Depends(writer("pledge.write"))]
Reporter = Annotated[Caller, Depends(writer("concern.write"))]
Reviewer = Annotated[Caller, Depends(writer("review.write"))]
Reader = Annotated[Caller, Depends(reader("register.read"))]


class Pledge(Body):
    unit_id: Slug | None = None
    personnel_id: Slug | None = None
    election: Slug
    document_ref: Line
    occurred_at: Aware


class Concern(Body):
    reported_unit_id: Slug | None = None
    reported_personnel_id: Slug | None = None
    place: Line
    description: Text
    evidence_refs: list[Line] | None = None
    reporter: Name
    site_id: Slug | None = None
    occurred_at: Aware


class Review(Body):
    finding: Finding
    recommendation: Text | None = None
    reference: Name | None = None
    forwarded_to: Forward | None = None
    occurred_at: Aware | None = None


def _person_or_unit(w: Caller, unit_id: str | None, personnel_id: str | None) -> None:
    if unit_id is not None:
        w.require(regions.unit_places(w.app, unit_id), what=f"unit {unit_id}")
    if personnel_id is not None:
        w.require(
            regions.personnel_places(w.app, personnel_id),
            what=f"personnel {personnel_id}",
        )


Created = {"status_code": 201, "response_model": WriteAnswer}


@router.post("/pledges", **Created)
def record_pledge(body: Pledge, w: Pledger) -> dict[str, Any]:
    _person_or_unit(w, body.unit_id, body.personnel_id)
    return w.app.record_pledge(w.context(body), **body.fields())


@router.post("/concerns", **Created)
def report_concern(body: Concern, w: Reporter) -> dict[str, Any]:
    _person_or_unit(w, body.reported_unit_id, body.reported_personnel_id)
    if body.site_id is not None:
        w.require(regions.site_places(w.app, body.site_id), what=f"site {body.site_id}")
    return w.app.report_concern(w.context(body), **body.fields())


@router.post("/concerns/{concern_id}/reviews", **Created)
def review_concern(concern_id: ServerId, body: Review, w: Reviewer) -> dict[str, Any]:
    w.require(regions.aggregate_places(w.app, concern_id), what="this concern")
    return w.app.review_concern(w.context(body), concern_id, **body.fields())


@router.get("/register")
def neutrality_register(
    r: Reader,
    _: Fresh,
    unit_id: Annotated[Slug | None, Query()] = None,
    personnel_id: Annotated[Slug | None, Query()] = None,
) -> dict[str, Any]:
    found = r.request.app.state.read_model.register(
        unit_id=unit_id, personnel_id=personnel_id, scope=r.scope
    )
    result: dict[str, Any] = for_caller(r, found, lambda v, _covert: v)
    return result
