"""The incident board: open incidents by severity and age, with their response
times (the writes are commands, interfaces/http/commands.py)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query

from interfaces.http.deps import Caller, reader
from interfaces.http.reading import Fresh, one, page
from interfaces.http.schemas import ERRORS, Limit, Page, ServerId, Slug

router = APIRouter(prefix="/api/v1", responses=ERRORS, tags=["incidents"])

Reader = Annotated[Caller, Depends(reader("incidents.read"))]


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
