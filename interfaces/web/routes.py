"""The dashboard's pages: the site board, a site, incidents, the register, live rows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response

from application import access
from domain.errors import DomainError
from domain.site import KINDS
from interfaces.http.deps import Caller
from interfaces.http.errors import ApiError, domain_status
from interfaces.http.reading import for_caller, hide_guards, one, page, redact_site_row
from interfaces.i18n import _
from interfaces.i18n.errors import said
from interfaces.web import auth, language
from interfaces.web import format as fmt
from interfaces.web import params as checks
from interfaces.web.names import Names
from interfaces.web.render import HEADERS, HERE, TEMPLATES, html, refusal

STATIC = {"dashboard.css": "text/css", "live.js": "text/javascript"}
BOARD_LIMIT = 500
PAGE_LIMIT = 100
STATUSES = ("green", "amber", "red")
INCIDENT_STATUSES = ("open", "resolved", "closed")

router = APIRouter(include_in_schema=False)
router.include_router(auth.router)
router.include_router(language.router)


def _rm(caller: Caller) -> Any:
    return caller.request.app.state.read_model


def _signed_page(
    request: Request,
    right: str,
    build: Callable[[Caller], tuple[str, dict[str, Any]]],
) -> Response:
    """Runs a page under the session's key: sign-in when there is none, an error
    page (never JSON) when the role, the region or the input is not allowed."""
    caller = auth.signed_in(request)
    if caller is None:
        query = request.url.query
        target = request.url.path + (f"?{query}" if query else "")
        return RedirectResponse("/sign-in?" + urlencode({"next": target}), 303)
    if not access.may(caller.role, right):
        return refusal(
            request,
            caller,
            403,
            _(
                "The %(role)s role may not see this page.",
                role=fmt.label(caller.role, "role"),
            ),
        )
    try:
        name, context = build(caller)
    except ApiError as error:
        return refusal(request, caller, error.status, said(error))
    except DomainError as error:
        return refusal(request, caller, domain_status(error), said(error))
    return html(request, name, context, caller=caller)


def _board_filters(params: Any) -> dict[str, Any]:
    return {
        "province": checks.slug(params, "province"),
        "regency": checks.slug(params, "regency"),
        "kind": checks.choice(params, "kind", KINDS),
        "status": checks.choice(params, "status", STATUSES),
    }


def _summary(rows: list[dict[str, Any]]) -> dict[str, int]:
    counts = dict.fromkeys(STATUSES, 0)
    for row in rows:
        if row.get("status") in counts:
            counts[row["status"]] += 1
    return counts


def _board(caller: Caller, params: Any, live: bool = False) -> dict[str, Any]:
    filters = _board_filters(params)
    past = {"as_of": None, "as_of_position": None} if live else checks.as_of(params)
    result = _rm(caller).sites(
        **filters,
        scope=caller.scope,
        **past,
        limit=BOARD_LIMIT,
        cursor=checks.cursor(params),
    )
    result = page(caller, result, redact_site_row)
    return {"filters": filters, "past": past, "result": result}


SEVERITY = {"red": 0, "amber": 1, "green": 2}


def worst_first(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Red, then amber, then green; within each, the most reasons and the worst
    incident first, then by name."""
    return sorted(
        rows,
        key=lambda r: (
            SEVERITY.get(r.get("status") or "", 3),
            -(r.get("max_open_severity") or 0),
            -len(r.get("reason_codes") or ()),
            r.get("name") or "",
        ),
    )


def _board_rows(caller: Caller, rows: list[dict[str, Any]], past_query: str) -> str:
    template = TEMPLATES.get_template("_board_rows.html")
    return template.render(rows=rows, past_query=past_query, names=Names(caller, rows))


@router.get("/")
def board_page(request: Request) -> Response:
    params = request.query_params

    def build(caller: Caller) -> tuple[str, dict[str, Any]]:
        found = _board(caller, params)
        everything = _rm(caller).sites(scope=caller.scope, limit=1000)["items"]
        provinces = sorted(
            {
                (s["province"], s.get("province_name") or s["province"])
                for s in everything
            },
            key=lambda p: p[1],
        )
        regencies = sorted(
            {
                (s["regency"], s.get("regency_name") or s["regency"], s["province"])
                for s in everything
            },
            key=lambda r: r[1],
        )
        is_past = any(v is not None for v in found["past"].values())
        past_query = (
            checks.query(
                {k: params.get(k) for k in ("as_of", "zone", "as_of_position")}
            )
            if is_past
            else ""
        )
        live_query = checks.query(found["filters"])
        rows = worst_first(found["result"]["items"])
        after = found["result"]["next"]
        next_query = (
            checks.query({**found["filters"], **dict(params), "cursor": after})
            if after
            else None
        )
        return "board.html", {
            **found,
            "rows_html": _board_rows(caller, rows, past_query),
            "summary": _summary(rows),
            "provinces": provinces,
            "regencies": regencies,
            "kinds": KINDS,
            "statuses": STATUSES,
            "is_past": is_past,
            "past_query": past_query,
            "as_of_text": params.get("as_of") or "",
            "as_of_zone": params.get("zone") or "WIB",
            "as_of_position_text": params.get("as_of_position") or "",
            "live_query": live_query,
            "live_url": "/live/board" + (f"?{live_query}" if live_query else ""),
            "next_query": next_query,
        }

    return _signed_page(request, "board.read", build)


@router.get("/live/board")
def live_board(request: Request) -> Response:
    """The board's rows as HTML cells for the page's script to swap in place."""
    caller = auth.signed_in(request)
    if caller is None:
        return JSONResponse({"error": {"code": "unauthorized"}}, 401, HEADERS)
    if not access.may(caller.role, "board.read"):
        return JSONResponse({"error": {"code": "forbidden"}}, 403, HEADERS)
    try:
        found = _board(caller, request.query_params, live=True)
    except (ApiError, DomainError) as error:
        return JSONResponse({"error": {"message": str(error)}}, 422, HEADERS)
    rows = worst_first(found["result"]["items"])
    return JSONResponse(
        {
            "rows": _board_rows(caller, rows, ""),
            "summary": _summary(rows),
            "as_of_position": found["result"]["as_of_position"],
        },
        headers=HEADERS,
    )


@router.get("/sites/{site_id}")
def site_page(site_id: str, request: Request) -> Response:
    params = request.query_params

    def build(caller: Caller) -> tuple[str, dict[str, Any]]:
        if not checks.SLUG.match(site_id):
            raise ApiError(404, "not_found", f"unknown site: {site_id}")
        past = checks.as_of(params)
        rm = _rm(caller)
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
            timeline = page(
                caller,
                rm.timeline(
                    site_id=site_id,
                    scope=caller.scope,
                    **past,
                    limit=PAGE_LIMIT,
                    cursor=checks.cursor(params),
                ),
            )
            if hidden:
                # Corrections carry no site of their own, so the item-level
                # redaction would miss them; every item here is this covert site's.
                timeline = {**timeline, "items": hide_guards(timeline["items"])}
        past_query = (
            checks.query(
                {k: params.get(k) for k in ("as_of", "zone", "as_of_position")}
            )
            if is_past
            else ""
        )
        next_query = None
        if timeline is not None and timeline["next"]:
            next_query = checks.query({**dict(params), "cursor": timeline["next"]})
        return "site.html", {
            "names": Names(
                caller, row, incidents, timeline["items"] if timeline else None
            ),
            "site": row,
            "zone": fmt.zone_for(row),
            "incidents": incidents,
            "timeline": timeline,
            "is_past": is_past,
            "past_query": past_query,
            "hidden": hidden,
            "next_query": next_query,
        }

    return _signed_page(request, "board.read", build)


def _incidents(caller: Caller, params: Any) -> dict[str, Any]:
    status = params.get("status", "open")
    if status == "all":
        status = None
    elif status not in INCIDENT_STATUSES:
        raise checks.invalid("status", "must be open, resolved, closed or all")
    severity = params.get("min_severity") or None
    if severity is not None and severity not in ("1", "2", "3", "4"):
        raise checks.invalid("min_severity", "must be 1 to 4")
    rm = _rm(caller)
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

    return _signed_page(request, "incidents.read", build)


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
        rm = _rm(caller)
        found = for_caller(
            caller, rm.register(scope=caller.scope), lambda value, _covert: value
        )
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

    return _signed_page(request, "register.read", build)


@router.get("/static/{name}")
def static(name: str) -> Response:
    if name not in STATIC:
        raise ApiError(404, "not_found", f"no such file: {name}", file=name)
    return FileResponse(
        HERE / "static" / name,
        media_type=STATIC[name],
        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
    )
