"""Reads of the views: the site board, gaps, timelines, statistics and custody."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query

from application.projections.anomalies import CODES
from interfaces.http.deps import Caller, reader
from interfaces.http.errors import ApiError
from interfaces.http.reading import (
    Fresh,
    covert_unless_seen,
    one,
    page,
    redact_site_row,
)
from interfaces.http.schemas import (
    ERRORS,
    SLUG_PATTERN,
    Limit,
    Page,
    QueryDate,
    QueryTime,
    ServerId,
    SiteKind,
    Slug,
)

router = APIRouter(prefix="/api/v1", responses=ERRORS, tags=["reads"])

SiteId = Annotated[str, Path(pattern=SLUG_PATTERN)]
Board = Annotated[Caller, Depends(reader("board.read"))]
Gaps = Annotated[Caller, Depends(reader("gaps.read"))]
Timeline = Annotated[Caller, Depends(reader("timeline.read"))]
Stats = Annotated[Caller, Depends(reader("stats.read"))]
Custody = Annotated[Caller, Depends(reader("custody.read"))]
Cursor = Annotated[str | None, Query(max_length=500)]
AsOf = Annotated[
    QueryTime | None, Query(description="Answer as the views stood at this time")
]
AsOfPosition = Annotated[
    int | None,
    Query(ge=0, le=2**62, description="Answer as the views stood at this log position"),
]
SlugQuery = Annotated[Slug | None, Query()]
IdQuery = Annotated[ServerId | None, Query()]
MAX_GAP_PERIOD = timedelta(days=366)
AnomalyCode = Literal[CODES]  # type: ignore[valid-type]


def _rm(r: Caller) -> Any:
    return r.request.app.state.read_model


@router.get("/sites", response_model=Page)
def list_sites(
    r: Board,
    _: Fresh,
    province: SlugQuery = None,
    regency: SlugQuery = None,
    kind: SiteKind | None = None,
    status: Literal["green", "amber", "red"] | None = None,
    as_of: AsOf = None,
    as_of_position: AsOfPosition = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> dict[str, Any]:
    result = _rm(r).sites(
        province=province,
        regency=regency,
        kind=kind,
        status=status,
        scope=r.scope,
        as_of=as_of,
        as_of_position=as_of_position,
        limit=limit,
        cursor=cursor,
    )
    return page(r, result, redact_site_row)


@router.get("/sites/{site_id}")
def get_site(
    site_id: SiteId,
    r: Board,
    _: Fresh,
    as_of: AsOf = None,
    as_of_position: AsOfPosition = None,
) -> dict[str, Any]:
    return one(
        r,
        "site",
        site_id,
        lambda scope: _rm(r).site(
            site_id, scope=scope, as_of=as_of, as_of_position=as_of_position
        ),
        redact_site_row,
    )


@router.get("/sites/{site_id}/gaps")
def site_gaps(
    site_id: SiteId,
    r: Gaps,
    _: Fresh,
    start: Annotated[QueryTime | None, Query(alias="from")] = None,
    end: Annotated[QueryTime | None, Query(alias="to")] = None,
) -> dict[str, Any]:
    end = end or datetime.now(UTC)
    start = start or end - timedelta(days=1)
    if end <= start:
        raise ApiError(422, "invalid_value", "to: must be after from", field="to")
    if end - start > MAX_GAP_PERIOD:
        raise ApiError(
            422, "invalid_value", "to: the period may be at most a year", field="to"
        )
    # The log, not the views, says whether the site exists: a site just registered
    # has its gaps (none yet) before the views have caught up.
    home = r.app.site_home(site_id)
    if home is None:
        raise ApiError(404, "not_found", f"unknown site: {site_id}", id=site_id)
    r.require_within(home, what=f"site {site_id}")
    result: dict[str, Any] = _rm(r).gaps(site_id, start=start, end=end, scope=r.scope)
    return result


@router.get("/timeline", response_model=Page)
def timeline(
    r: Timeline,
    _: Fresh,
    site_id: SlugQuery = None,
    unit_id: SlugQuery = None,
    personnel_id: SlugQuery = None,
    patrol_id: IdQuery = None,
    incident_id: IdQuery = None,
    types: Annotated[
        list[Annotated[str, Query(max_length=2000)]] | None,
        Query(description="Event types, repeated or comma-separated"),
    ] = None,
    start: Annotated[QueryTime | None, Query(alias="from")] = None,
    end: Annotated[QueryTime | None, Query(alias="to")] = None,
    as_of: AsOf = None,
    as_of_position: AsOfPosition = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> dict[str, Any]:
    wanted = [t.strip() for v in types or [] for t in v.split(",") if t.strip()]
    result = _rm(r).timeline(
        site_id=site_id,
        unit_id=unit_id,
        personnel_id=personnel_id,
        patrol_id=patrol_id,
        incident_id=incident_id,
        types=wanted or None,
        start=start,
        end=end,
        scope=r.scope,
        as_of=as_of,
        as_of_position=as_of_position,
        limit=limit,
        cursor=cursor,
        without_sites=covert_unless_seen(r, unit_id=unit_id, personnel_id=personnel_id),
    )
    return page(r, result)


@router.get("/anomalies", response_model=Page)
def anomalies(
    r: Board,
    _: Fresh,
    province: SlugQuery = None,
    regency: SlugQuery = None,
    site_id: SlugQuery = None,
    code: AnomalyCode | None = None,
    start: Annotated[QueryTime | None, Query(alias="from")] = None,
    end: Annotated[QueryTime | None, Query(alias="to")] = None,
    as_of: AsOf = None,
    as_of_position: AsOfPosition = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> dict[str, Any]:
    """Field anomalies, newest first: what the log accepted but flags (a check-out
    with no check-in, a visit off the route, a GPS position far from the site, a
    probable duplicate incident, a device clock far from the server's)."""
    result = _rm(r).anomalies(
        province=province,
        regency=regency,
        site_id=site_id,
        code=code,
        start=start,
        end=end,
        scope=r.scope,
        as_of=as_of,
        as_of_position=as_of_position,
        limit=limit,
        cursor=cursor,
    )
    return page(r, result)


@router.get("/stats", response_model=Page)
def stats(
    r: Stats,
    _: Fresh,
    province: SlugQuery = None,
    regency: SlugQuery = None,
    day: Annotated[QueryDate | None, Query(alias="date")] = None,
) -> dict[str, Any]:
    result: dict[str, Any] = _rm(r).stats(
        province=province, regency=regency, date=day, scope=r.scope
    )
    return result


@router.get("/sites/{site_id}/custody")
def custody(site_id: SiteId, r: Custody, _: Fresh) -> dict[str, Any]:
    return one(r, "site", site_id, lambda scope: _rm(r).custody(site_id, scope=scope))
