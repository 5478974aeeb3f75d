"""The dashboard's reports: choose a site, a unit or a region and a day or period,
then print the page or open the PDF, under the session's key and language."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from application import access
from domain.errors import DomainError
from domain.values import SLUG
from interfaces import i18n
from interfaces.http import reports
from interfaces.http.deps import Caller
from interfaces.http.errors import ApiError, domain_status
from interfaces.http.reports import Shape
from interfaces.i18n.errors import said
from interfaces.web import auth
from interfaces.web import format as fmt
from interfaces.web.board import read_model, signed_page
from interfaces.web.render import refusal

router = APIRouter(include_in_schema=False)
RIGHT = "reports.read"


@router.get("/reports")
def reports_page(request: Request) -> Response:
    def build(caller: Caller) -> tuple[str, dict[str, Any]]:
        rm = read_model(caller)
        sites = rm.sites(scope=caller.scope, limit=1000)["items"]
        register = rm.register(scope=caller.scope)
        regions: dict[tuple[str, str], tuple[str, str]] = {}
        for s in sites:
            regions[(s["province"], s["regency"])] = (
                s.get("province_name") or s["province"],
                s.get("regency_name") or s["regency"],
            )
        return "reports.html", {
            "sites": sites,
            "units": [u for u in register["units"] if u.get("name")],
            "report_regions": sorted(regions.items()),
            "today": date.today().isoformat(),
        }

    return signed_page(request, RIGHT, build)


def _day(value: str | None, field: str) -> date:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        raise ApiError(
            422, "invalid_value", f"{field}: must be a date", field=field
        ) from None


def _slug(value: str | None, field: str) -> str:
    if not value or not SLUG.match(value):
        raise ApiError(422, "invalid_value", f"{field}: must be a slug", field=field)
    return value


@router.get("/reports/{kind}")
def report(kind: str, request: Request) -> Response:
    """The chosen report as a printable page or a PDF, in the page's language."""
    caller = auth.signed_in(request)
    if caller is None:
        target = request.url.path + "?" + request.url.query
        return RedirectResponse("/sign-in?" + urlencode({"next": target}), 303)
    if not access.may(caller.role, RIGHT):
        return refusal(
            request,
            caller,
            403,
            i18n.gettext(
                "The %(role)s role may not see this page.",
                role=fmt.label(caller.role, "role"),
            ),
        )
    q = request.query_params
    shape: Shape = "pdf" if q.get("shape") == "pdf" else "html"
    language = i18n.language()
    try:
        if kind == "daily":
            site = _slug(q.get("site_id"), "site_id")
            day = _day(q.get("date"), "date")
            answer: Response = reports.daily(caller, site, day, None, shape, language)
        elif kind == "unit":
            unit = _slug(q.get("unit_id"), "unit_id")
            day = _day(q.get("date"), "date")
            answer = reports.unit(caller, unit, day, None, shape, language)
        elif kind == "review":
            province, _, regency = (q.get("region") or "").partition("/")
            answer = reports.review(
                caller,
                _slug(province, "region"),
                _slug(regency, "region") if regency else None,
                _day(q.get("from"), "from"),
                _day(q.get("to"), "to"),
                None,
                shape,
                language,
            )
        else:
            raise ApiError(404, "not_found", f"unknown report: {kind}")
    except ApiError as error:
        return refusal(request, caller, error.status, said(error))
    except DomainError as error:
        return refusal(request, caller, domain_status(error), said(error))
    return answer
