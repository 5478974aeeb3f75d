"""Field devices on the dashboard: enrolments made and revoked by ops, and the site
posters whose QR code a field app scans to check in."""

from __future__ import annotations

import hmac
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup

from application import access
from domain.errors import DomainError
from interfaces.http import enrolments
from interfaces.http.deps import Caller
from interfaces.http.errors import ApiError, domain_status
from interfaces.i18n import _
from interfaces.i18n.errors import said
from interfaces.web import auth, csrf
from interfaces.web import params as checks
from interfaces.web.render import html, refusal

MAX_FORM = 4096
MAX_POSTERS = 500

router = APIRouter(include_in_schema=False)


def _form(raw: bytes) -> dict[str, str]:
    found = parse_qs(raw[:MAX_FORM].decode("utf-8", "replace"))
    return {k: v[0] for k, v in found.items()}


def _allowed(request: Request, right: str) -> Caller | Response:
    caller = auth.signed_in(request)
    if caller is None:
        return RedirectResponse("/sign-in?next=" + request.url.path, 303)
    if not access.may(caller.role, right):
        return refusal(request, caller, 403, _("Not allowed"))
    return caller


def _page(
    request: Request,
    caller: Caller,
    made: dict[str, Any] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    rm = request.app.state.read_model
    units = rm.people(scope=caller.scope, units_only=True)["units"]
    names = {u["unit_id"]: u["name"] for u in units}
    rows = enrolments.visible(caller)
    return html(
        request,
        "devices.html",
        {
            "active": "devices",
            "units": units,
            "unit_names": names,
            "rows": rows,
            "made": made,
            "qr": Markup(made["qr_svg"]) if made else None,
            "error": error,
            "csrf": csrf.page_token(request),
        },
        status,
        caller,
    )


@router.get("/perangkat")
def devices_page(request: Request) -> Response:
    caller = _allowed(request, "devices.enrol")
    if not isinstance(caller, Caller):
        return caller
    return _page(request, caller)


def _checked(request: Request, form: dict[str, str]) -> bool:
    given = form.get("csrf", "")
    expected = csrf.page_token(request)
    return (
        bool(expected)
        and hmac.compare_digest(given, expected)
        and auth.same_site(request)
    )


@router.post("/perangkat")
async def enrol(request: Request) -> Response:
    caller = _allowed(request, "devices.enrol")
    if not isinstance(caller, Caller):
        return caller
    form = _form(await request.body())
    if not _checked(request, form):
        return _page(
            request,
            caller,
            error=_("the page is out of date: reload it and try again"),
            status=403,
        )
    unit_id = form.get("unit_id", "")
    label = form.get("label", "").strip()[:200] or None
    try:
        if not checks.SLUG.match(unit_id):
            raise checks.invalid("unit_id", "is not a valid id")
        made = enrolments.create_enrolment(caller, unit_id, label)
    except (ApiError, DomainError) as error:
        status = error.status if isinstance(error, ApiError) else domain_status(error)
        return _page(request, caller, error=said(error), status=status)
    return _page(request, caller, made=made, status=201)


@router.post("/perangkat/{enrolment_id}/cabut")
async def revoke(enrolment_id: str, request: Request) -> Response:
    caller = _allowed(request, "devices.enrol")
    if not isinstance(caller, Caller):
        return caller
    form = _form(await request.body())
    if not _checked(request, form):
        return _page(
            request,
            caller,
            error=_("the page is out of date: reload it and try again"),
            status=403,
        )
    try:
        enrolments.revoke_enrolment(caller, enrolment_id[:64])
    except (ApiError, DomainError) as error:
        status = error.status if isinstance(error, ApiError) else domain_status(error)
        return _page(request, caller, error=said(error), status=status)
    return RedirectResponse("/perangkat", 303)


@router.get("/poster")
def posters(request: Request) -> Response:
    """One printable page per site: its name and the QR code a field app scans."""
    caller = _allowed(request, "board.read")
    if not isinstance(caller, Caller):
        return caller
    params = request.query_params
    try:
        regency = checks.slug(params, "regency")
        wanted = [s for s in params.getlist("site_id") if checks.SLUG.match(s)]
    except ApiError as error:
        return refusal(request, caller, error.status, said(error))
    rows = request.app.state.read_model.sites(
        regency=regency, scope=caller.scope, limit=MAX_POSTERS
    )["items"]
    if wanted:
        rows = [r for r in rows if r["site_id"] in wanted]
    base = str(request.base_url).rstrip("/")
    sites = [
        {
            **row,
            "link": f"{base}/lapangan?site={row['site_id']}",
            "qr": Markup(enrolments.qr_svg(f"{base}/lapangan?site={row['site_id']}")),
        }
        for row in sorted(rows, key=lambda r: (r.get("regency_name") or "", r["name"]))
        if not row.get("decommissioned")
    ]
    return html(request, "poster.html", {"sites": sites}, 200, caller)
