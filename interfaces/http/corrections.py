"""Corrections: an EntryCorrected event names the fix to an earlier entry."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import Field

from interfaces.http import regions
from interfaces.http.deps import Caller, writer
from interfaces.http.schemas import ERRORS, Aware, Body, ServerId, Text, WriteAnswer

router = APIRouter(prefix="/api/v1", responses=ERRORS, tags=["corrections"])

Corrector = Annotated[Caller, Depends(writer("correction.write"))]


class Correct(Body):
    event_id: ServerId
    reason: Text
    changes: Annotated[dict[str, Any], Field(min_length=1, max_length=100)]
    occurred_at: Aware | None = None


@router.post("/corrections", status_code=201, response_model=WriteAnswer)
def correct_entry(body: Correct, w: Corrector) -> dict[str, Any]:
    w.require(regions.event_places(w.app, body.event_id), what="this entry")
    return w.app.correct_entry(w.context(body), **body.fields())
