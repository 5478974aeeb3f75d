"""The dashboard's pages: a site, incidents, the register; the board's and the other
features' routers gathered."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from application import access
from domain.errors import DomainError
from domain.site import ALERT_LEVELS
from interfaces.http.deps import Caller
from interfaces.http.errors import ApiError
from interfaces.http.reading import (
    for_caller,
    one,
    page,
    redact_register,
    redact_site_row,
)
from interfaces.web import (
    alerts,
    anomalies,
    auth,
    board,
    devices,
    field,
    language,
    maps,
    replay,
    reports,
)
from interfaces.web import format as fmt
from interfaces.web import params as checks
from interfaces.web.board import read_model, signed_page
from interfaces.web.names import Names
from interfaces.web.render import HEADERS, HERE, TEMPLATES
from interfaces.web.timeline import site_timeline

STATIC = {
    "dashboard.css": "text/css",
    "live.js": "text/javascript",
    "poster.css": "text/css",
    "actions.js": "text/javascript",
    "map.js": "text/javascript",
    "alerts.js": "text/javascript",
    "replay.js": "text/javascript",
    "docs.js": "text/javascript",
}
PAGE_LIMIT = 100
INCIDENT_STATUSES = ("open", "resolved", "closed")

router = APIRouter(include_in_schema=False)
router.include_router(auth.router)
router.include_router(language.router)
router.include_router(board.router)
router.include_router(reports.router)
router.include_router(devices.router)
router.include_router(field.router)
router.include_router(maps.router)
router.include_router(alerts.router)
router.include_router(replay.router)
router.include_router(anomalies.router)


@router.get("/sites/{site_id}")
def site_page(site_id: str, request: Request) -> Response:
    params = request.query_params

    def build(caller: Caller) -> tuple[str, dict[str, Any]]:
        if not checks.SLUG.match(site_id):
            raise ApiError(404, "not_found", f"unknown site: {site_id}")
        past = checks.as_of(params)
        rm = read_model(caller)
        row = one(
            caller,
            "site",
            site_id,
            lambda scope: rm.site(site_id, scope=scope, **past),
            redact_site_row,
        )
        is_past = any(v is not None for v in past.values())
        hidden = caller.role == "bawaslu" and site_id in rm.covert_site_ids()
        incidents = None
        if access.may(caller.role, "incidents.read") and not is_past:
            incidents = page(
                caller,
                rm.incidents(
                    site_id=site_id, status="open", scope=caller.scope, limit=PAGE_LIMIT
                ),
            )["items"]
        timeline = None
        if access.may(caller.role, "timeline.read"):
            timeline = site_timeline(
                caller, site_id, params, past, fmt.zone_for(row), hidden
            )
        past_query = (
            checks.query(
                {k: params.get(k) for k in ("as_of", "zone", "as_of_position")}
            )
            if is_past
            else ""
        )
        names = Names(caller, row, incidents, timeline["items"] if timeline else None)
        return "site.html", {
            "names": names,
            "anomalies": [
                {**a, "says": anomalies.says(a, names)} for a in row["anomalies"]
            ],
            "flags": anomalies.flags(row["anomalies"], names),
            "site": row,
            "zone": fmt.zone_for(row),
            "incidents": incidents,
            "timeline": timeline,
            "is_past": is_past,
            "past_query": past_query,
            "hidden": hidden,
            "actions": access.may(caller.role, "incident.write") and not is_past,
            "set_alert": access.may(caller.role, "reference.write") and not is_past,
            "alert_levels": ALERT_LEVELS,
        }

    return signed_page(request, "board.read", build)


def _incidents(caller: Caller, params: Any) -> dict[str, Any]:
    status = params.get("status", "open")
    if status == "all":
        status = None
    elif status not in INCIDENT_STATUSES:
        raise checks.invalid("status", "must be open, resolved, closed or all")
    severity = params.get("min_severity") or None
    if severity is not None and severity not in ("1", "2", "3", "4"):
        raise checks.invalid("min_severity", "must be 1 to 4")
    rm = read_model(caller)
    result = page(
        caller,
        rm.incidents(
            status=status,
            min_severity=int(severity) if severity else None,
            site_id=checks.slug(params, "site_id"),
            scope=caller.scope,
            limit=PAGE_LIMIT,
            cursor=checks.cursor(params),
        ),
    )
    zones: dict[str, str | None] = {}
    site_names: dict[str, str] = {}
    for item in result["items"]:
        site_id = item.get("site_id")
        if site_id and site_id not in zones:
            row = rm.site(site_id)
            zones[site_id] = fmt.zone_for(row)
            site_names[site_id] = (row or {}).get("name") or site_id
    items = sorted(
        result["items"],
        key=lambda i: (
            i.get("status") != "open",
            -(i.get("severity") or 0),
            -(i.get("age_seconds") or 0),
        ),
    )
    return {
        "items": items,
        "zones": zones,
        "site_names": site_names,
        "next": result["next"],
        "as_of_position": result["as_of_position"],
        "status": status or "all",
        "actions": access.may(caller.role, "incident.write"),
        "min_severity": severity or "",
    }


def _incident_rows(found: dict[str, Any]) -> str:
    return TEMPLATES.get_template("_incident_rows.html").render(**found)


@router.get("/incidents")
def incidents_page(request: Request) -> Response:
    params = request.query_params

    def build(caller: Caller) -> tuple[str, dict[str, Any]]:
        found = _incidents(caller, params)
        live_query = checks.query(
            {
                "status": found["status"],
                "min_severity": found["min_severity"],
                "site_id": params.get("site_id"),
            }
        )
        next_query = (
            checks.query({**dict(params), "cursor": found["next"]})
            if found["next"]
            else None
        )
        return "incidents.html", {
            **found,
            "rows_html": _incident_rows(found),
            "live_url": f"/live/incidents?{live_query}",
            "next_query": next_query,
        }

    return signed_page(request, "incidents.read", build)


@router.get("/live/incidents")
def live_incidents(request: Request) -> Response:
    caller = auth.signed_in(request)
    if caller is None:
        return JSONResponse({"error": {"code": "unauthorized"}}, 401, HEADERS)
    if not access.may(caller.role, "incidents.read"):
        return JSONResponse({"error": {"code": "forbidden"}}, 403, HEADERS)
    try:
        found = _incidents(caller, request.query_params)
    except (ApiError, DomainError) as error:
        return JSONResponse({"error": {"message": str(error)}}, 422, HEADERS)
    return JSONResponse(
        {"rows": _incident_rows(found), "as_of_position": found["as_of_position"]},
        headers=HEADERS,
    )


@router.get("/register")
def register_page(request: Request) -> Response:
    params = request.query_params

    def build(caller: Caller) -> tuple[str, dict[str, Any]]:
        rm = read_model(caller)
        found = for_caller(caller, rm.register(scope=caller.scope), redact_register)
        zones = {
            u["unit_id"]: fmt.zone_for({"province": u.get("province")})
            for u in found["units"]
        }
        show_all = params.get("all") == "1"
        people = [
            p
            for p in found["personnel"]
            if show_all
            or p["pledges"]
            or p["concerns"]
            or p["reviews"]
            or p["incidents"]
        ]
        return "register.html", {
            "names": Names(caller, people),
            "units": found["units"],
            "personnel": people,
            "zones": zones,
            "show_all": show_all,
            "hidden_people": len(found["personnel"]) - len(people),
            "as_of_position": found["as_of_position"],
        }

    return signed_page(request, "register.read", build)


@router.get("/static/{name}")
def static(name: str) -> Response:
    if name not in STATIC:
        raise ApiError(404, "not_found", f"no such file: {name}", file=name)
    return FileResponse(
        HERE / "static" / name,
        media_type=STATIC[name],
        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
    )


LEAFLET = {"leaflet.js": "text/javascript", "leaflet.css": "text/css"}


@router.get("/static/leaflet/{name}")
def leaflet(name: str) -> Response:
    """Leaflet, vendored from its npm package (licence beside it)."""
    if name not in LEAFLET:
        raise ApiError(404, "not_found", f"no such file: {name}", file=name)
    return FileResponse(
        HERE / "static" / "leaflet" / name,
        media_type=LEAFLET[name],
        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
    )
