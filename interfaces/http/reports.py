"""Reports over HTTP: the daily activity of a site and the post-election review of a
region, as JSON (the envelope anyone can check against the log), printable HTML
and PDF. Bawaslu's keys get Bawaslu's reading."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, Response

from application.reports.review import MAX_DAYS
from infrastructure import reports
from infrastructure.views.wiring import view_store
from interfaces.http.deps import Caller, reader
from interfaces.http.errors import ApiError
from interfaces.http.reading import Fresh
from interfaces.http.schemas import ERRORS, QueryDate, Slug
from interfaces.reports.pdf import PdfUnavailable
from interfaces.reports.shapes import as_html, as_pdf

router = APIRouter(prefix="/api/v1/reports", responses=ERRORS, tags=["reports"])

Reader = Annotated[Caller, Depends(reader("reports.read"))]
SlugQuery = Annotated[Slug, Query()]
Position = Annotated[
    int | None,
    Query(ge=1, le=2**62, description="Build at this log position (default: latest)"),
]
Shape = Literal["json", "html", "pdf"]
Language = Annotated[
    Literal["id", "en"], Query(description="id: Bahasa Indonesia, en: English")
]


def _audience(r: Caller) -> str:
    return "bawaslu" if r.role == "bawaslu" else "full"


def build(
    r: Caller, kind: str, parameters: dict[str, Any], position: int | None
) -> dict[str, Any]:
    return reports.build(
        view_store(r.app),
        r.request.app.state.audit,
        kind,
        parameters,
        audience=_audience(r),
        position=position,
    )


def answer(envelope: dict[str, Any], shape: Shape, language: str) -> Any:
    """The envelope as JSON, or its page as HTML or PDF in `language`."""
    if shape == "json":
        return envelope
    if shape == "html":
        return HTMLResponse(as_html(envelope, language))
    name = f"jaga-{envelope['kind']}-{envelope['position']}.pdf"
    try:
        pdf = as_pdf(envelope, language)
    except PdfUnavailable as error:
        raise ApiError(503, "unavailable", str(error)) from None
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


def daily(
    r: Caller,
    site_id: str,
    day: date,
    position: int | None,
    shape: Shape,
    language: str,
) -> Any:
    home = r.app.site_home(site_id)
    if home is None:
        raise ApiError(404, "not_found", f"unknown site: {site_id}", id=site_id)
    r.require_within(home, what=f"site {site_id}")
    parameters = {"site_id": site_id, "date": day.isoformat()}
    return answer(build(r, "daily", parameters, position), shape, language)


def unit(
    r: Caller,
    unit_id: str,
    day: date,
    position: int | None,
    shape: Shape,
    language: str,
) -> Any:
    home = r.app.unit_home(unit_id)
    if home is None:
        raise ApiError(404, "not_found", f"unknown unit: {unit_id}", id=unit_id)
    r.require_within(home, what=f"unit {unit_id}")
    parameters = {"unit_id": unit_id, "date": day.isoformat()}
    return answer(build(r, "unit", parameters, position), shape, language)


def review(
    r: Caller,
    province: str,
    regency: str | None,
    start: date,
    end: date,
    position: int | None,
    shape: Shape,
    language: str,
) -> Any:
    if end < start or (end - start).days > MAX_DAYS:
        raise ApiError(
            422,
            "invalid_value",
            f"to: must be on or after from, at most {MAX_DAYS} days on",
            field="to",
        )
    r.require_within((province, regency), what="this region")
    parameters = {
        "province": province,
        "regency": regency,
        "from": start.isoformat(),
        "to": end.isoformat(),
    }
    return answer(build(r, "review", parameters, position), shape, language)


@router.get("/daily")
def daily_report(
    r: Reader,
    _: Fresh,
    site_id: SlugQuery,
    day: Annotated[QueryDate, Query(alias="date")],
    position: Position = None,
    lang: Language = "id",
) -> Any:
    """The daily activity report of a site for a day in the site's zone."""
    return daily(r, site_id, day, position, "json", lang)


@router.get("/review")
def review_report(
    r: Reader,
    _: Fresh,
    province: SlugQuery,
    start: Annotated[QueryDate, Query(alias="from")],
    end: Annotated[QueryDate, Query(alias="to")],
    regency: Annotated[Slug | None, Query()] = None,
    position: Position = None,
    lang: Language = "id",
) -> Any:
    """The post-election review of a province or regency for a period."""
    return review(r, province, regency, start, end, position, "json", lang)


@router.get("/daily.{shape}", response_class=Response)
def daily_page(
    r: Reader,
    _: Fresh,
    shape: Literal["html", "pdf"],
    site_id: SlugQuery,
    day: Annotated[QueryDate, Query(alias="date")],
    position: Position = None,
    lang: Language = "id",
) -> Any:
    """The daily activity report as a printable page or a PDF (Bahasa Indonesia
    unless `lang=en`)."""
    return daily(r, site_id, day, position, shape, lang)


@router.get("/review.{shape}", response_class=Response)
def review_page(
    r: Reader,
    _: Fresh,
    shape: Literal["html", "pdf"],
    province: SlugQuery,
    start: Annotated[QueryDate, Query(alias="from")],
    end: Annotated[QueryDate, Query(alias="to")],
    regency: Annotated[Slug | None, Query()] = None,
    position: Position = None,
    lang: Language = "id",
) -> Any:
    """The post-election review as a printable page or a PDF."""
    return review(r, province, regency, start, end, position, shape, lang)


@router.get("/unit")
def unit_report(
    r: Reader,
    _: Fresh,
    unit_id: SlugQuery,
    day: Annotated[QueryDate, Query(alias="date")],
    position: Position = None,
    lang: Language = "id",
) -> Any:
    """The daily activity report of a unit for a day in its region's zone."""
    return unit(r, unit_id, day, position, "json", lang)


@router.get("/unit.{shape}", response_class=Response)
def unit_page(
    r: Reader,
    _: Fresh,
    shape: Literal["html", "pdf"],
    unit_id: SlugQuery,
    day: Annotated[QueryDate, Query(alias="date")],
    position: Position = None,
    lang: Language = "id",
) -> Any:
    """The daily activity report of a unit as a printable page or a PDF."""
    return unit(r, unit_id, day, position, shape, lang)
