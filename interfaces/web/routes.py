"""The dashboard's pages: sign-in, the site board, a site, incidents, the register."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from application import access
from domain.errors import DomainError
from domain.regions import ZONES
from domain.site import KINDS
from infrastructure.keys import KeyStore
from interfaces.http.deps import Caller
from interfaces.http.errors import ApiError, domain_status
from interfaces.http.reading import for_caller, hide_guards, one, page, redact_site_row
from interfaces.http.schemas import SLUG_PATTERN
from interfaces.web import format as fmt
from interfaces.web.session import COOKIE, IDLE_SECONDS, Sessions

HERE = Path(__file__).parent
TEMPLATES = Jinja2Templates(directory=HERE / "templates")
TEMPLATES.env.globals.update(
    local_time=fmt.local_time, duration=fmt.duration, label=fmt.label,
    value_text=fmt.value_text, zones=tuple(ZONES),
)
STATIC = {"dashboard.css": "text/css", "live.js": "text/javascript"}
SLUG = re.compile(SLUG_PATTERN)
BOARD_LIMIT = 500
PAGE_LIMIT = 100
MAX_FORM = 4096
STATUSES = ("green", "amber", "red")
INCIDENT_STATUSES = ("open", "resolved", "closed")
HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; "
    "style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

router = APIRouter(include_in_schema=False)


def _sessions(request: Request) -> Sessions:
    state = request.app.state
    if not hasattr(state, "web_sessions"):
        state.web_sessions = Sessions()
    sessions: Sessions = state.web_sessions
    return sessions


def signed_in(request: Request) -> Caller | None:
    """The caller behind the session cookie; a revoked key is signed out at once."""
    key_id = _sessions(request).key_id(request.cookies.get(COOKIE))
    if key_id is None:
        return None
    keys: KeyStore = request.app.state.keys
    try:
        key = keys.get(key_id)
    except DomainError:
        return None
    if key.revoked_at is not None:
        return None
    request.state.actor = key.key_id
    request.state.role = key.role
    return Caller(key=key, app=request.app.state.jaga, request=request)


def _rm(caller: Caller) -> Any:
    return caller.request.app.state.read_model


def _views(role: str) -> dict[str, bool]:
    return {
        "board": access.may(role, "board.read"),
        "incidents": access.may(role, "incidents.read"),
        "register": access.may(role, "register.read"),
        "timeline": access.may(role, "timeline.read"),
    }


def _html(
    request: Request,
    name: str,
    context: dict[str, Any],
    status: int = 200,
    caller: Caller | None = None,
) -> Response:
    if caller is not None:
        context = {
            "me": caller.key,
            "regions": ", ".join(access.scope_text(caller.scope)) or "everywhere",
            "views": _views(caller.role),
            **context,
        }
    response = TEMPLATES.TemplateResponse(request, name, context, status_code=status)
    response.headers.update(HEADERS)
    return response


def _refusal(request: Request, caller: Caller, status: int, message: str) -> Response:
    return _html(
        request, "error.html", {"status": status, "message": message}, status, caller
    )


def _signed_page(
    request: Request,
    right: str,
    build: Callable[[Caller], tuple[str, dict[str, Any]]],
) -> Response:
    """Runs a page under the session's key: sign-in when there is none, an error
    page (never JSON) when the role, the region or the input is not allowed."""
    caller = signed_in(request)
    if caller is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse("/sign-in?" + urlencode({"next": target}), 303)
    if not access.may(caller.role, right):
        return _refusal(
            request, caller, 403, f"The {caller.role} role may not see this page."
        )
    try:
        name, context = build(caller)
    except ApiError as error:
        return _refusal(request, caller, error.status, error.message)
    except DomainError as error:
        return _refusal(request, caller, domain_status(error), error.message)
    return _html(request, name, context, caller=caller)


def _invalid(field: str, why: str) -> ApiError:
    return ApiError(422, "invalid_value", f"{field}: {why}", field=field)


def _choice(params: Any, name: str, allowed: tuple[str, ...]) -> str | None:
    value = params.get(name) or None
    if value is not None and value not in allowed:
        raise _invalid(name, f"must be one of {', '.join(allowed)}")
    return value


def _slug(params: Any, name: str) -> str | None:
    value = params.get(name) or None
    if value is not None and not SLUG.match(value):
        raise _invalid(name, "is not a valid id")
    return value


def _cursor(params: Any) -> str | None:
    value = params.get("cursor") or None
    if value is not None and len(value) > 500:
        raise _invalid("cursor", "is too long")
    return value


def _as_of(params: Any) -> dict[str, Any]:
    """The as-of control: a local date and time in a chosen zone, or a log position."""
    found: dict[str, Any] = {"as_of": None, "as_of_position": None}
    position = (params.get("as_of_position") or "").strip()
    moment = (params.get("as_of") or "").strip()
    zone = params.get("zone") or "WIB"
    if zone not in ZONES:
        raise _invalid("zone", "must be WIB, WITA or WIT")
    if position:
        if not position.isdigit() or len(position) > 18:
            raise _invalid("as_of_position", "must be a whole number from 0")
        found["as_of_position"] = int(position)
    elif moment:
        try:
            local = datetime.fromisoformat(moment)
        except ValueError:
            raise _invalid("as_of", "must be a date and time") from None
        if local.tzinfo is None:
            local = local.replace(tzinfo=ZONES[zone])
        found["as_of"] = local
    return found


def _board_filters(params: Any) -> dict[str, Any]:
    return {
        "province": _slug(params, "province"),
        "regency": _slug(params, "regency"),
        "kind": _choice(params, "kind", KINDS),
        "status": _choice(params, "status", STATUSES),
    }


def _query(values: dict[str, Any]) -> str:
    kept = {k: v for k, v in values.items() if v not in (None, "")}
    return urlencode(kept)


def _summary(rows: list[dict[str, Any]]) -> dict[str, int]:
    counts = dict.fromkeys(STATUSES, 0)
    for row in rows:
        if row.get("status") in counts:
            counts[row["status"]] += 1
    return counts


def _board(caller: Caller, params: Any, live: bool = False) -> dict[str, Any]:
    filters = _board_filters(params)
    past = {"as_of": None, "as_of_position": None} if live else _as_of(params)
    result = _rm(caller).sites(
        **filters, scope=caller.scope, **past, limit=BOARD_LIMIT,
        cursor=_cursor(params),
    )
    result = page(caller, result, redact_site_row)
    return {"filters": filters, "past": past, "result": result}


def _board_rows(rows: list[dict[str, Any]], past_query: str) -> str:
    template = TEMPLATES.get_template("_board_rows.html")
    return template.render(rows=rows, past_query=past_query)


@router.get("/")
def board_page(request: Request) -> Response:
    params = request.query_params

    def build(caller: Caller) -> tuple[str, dict[str, Any]]:
        found = _board(caller, params)
        everything = _rm(caller).sites(scope=caller.scope, limit=1000)["items"]
        provinces = sorted(
            {(s["province"], s.get("province_name") or s["province"])
             for s in everything},
            key=lambda p: p[1],
        )
        regencies = sorted(
            {(s["regency"], s.get("regency_name") or s["regency"], s["province"])
             for s in everything},
            key=lambda r: r[1],
        )
        is_past = any(v is not None for v in found["past"].values())
        past_query = _query(
            {k: params.get(k) for k in ("as_of", "zone", "as_of_position")}
        ) if is_past else ""
        live_query = _query(found["filters"])
        rows = found["result"]["items"]
        next_query = (
            _query({**found["filters"], **dict(params), "cursor": found["result"]["next"]})
            if found["result"]["next"] else None
        )
        return "board.html", {
            **found,
            "rows_html": _board_rows(rows, past_query),
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
    caller = signed_in(request)
    if caller is None:
        return JSONResponse({"error": {"code": "unauthorized"}}, 401, HEADERS)
    if not access.may(caller.role, "board.read"):
        return JSONResponse({"error": {"code": "forbidden"}}, 403, HEADERS)
    try:
        found = _board(caller, request.query_params, live=True)
    except (ApiError, DomainError) as error:
        return JSONResponse({"error": {"message": str(error)}}, 422, HEADERS)
    rows = found["result"]["items"]
    return JSONResponse(
        {
            "rows": _board_rows(rows, ""),
            "summary": _summary(rows),
            "as_of_position": found["result"]["as_of_position"],
        },
        headers=HEADERS,
    )


@router.get("/sites/{site_id}")
def site_page(site_id: str, request: Request) -> Response:
    params = request.query_params

    def build(caller: Caller) -> tuple[str, dict[str, Any]]:
        if not SLUG.match(site_id):
            raise ApiError(404, "not_found", f"unknown site: {site_id}")
        past = _as_of(params)
        rm = _rm(caller)
        row = one(
            caller, "site", site_id,
            lambda scope: rm.site(site_id, scope=scope, **past), redact_site_row,
        )
        is_past = any(v is not None for v in past.values())
        hidden = caller.role == "bawaslu" and site_id in rm.covert_site_ids()
        incidents = None
        if access.may(caller.role, "incidents.read") and not is_past:
            incidents = page(caller, rm.incidents(
                site_id=site_id, status="open", scope=caller.scope, limit=PAGE_LIMIT
            ))["items"]
        timeline = None
        if access.may(caller.role, "timeline.read"):
            timeline = page(caller, rm.timeline(
                site_id=site_id, scope=caller.scope, **past, limit=PAGE_LIMIT,
                cursor=_cursor(params),
            ))
            if hidden:
                # Corrections carry no site of their own, so the item-level
                # redaction would miss them; every item here is this covert site's.
                timeline = {**timeline, "items": hide_guards(timeline["items"])}
        past_query = _query(
            {k: params.get(k) for k in ("as_of", "zone", "as_of_position")}
        ) if is_past else ""
        next_query = None
        if timeline is not None and timeline["next"]:
            next_query = _query({**dict(params), "cursor": timeline["next"]})
        return "site.html", {
            "site": row, "zone": fmt.zone_for(row), "incidents": incidents,
            "timeline": timeline, "is_past": is_past, "past_query": past_query,
            "hidden": hidden, "next_query": next_query,
        }

    return _signed_page(request, "board.read", build)


def _incidents(caller: Caller, params: Any) -> dict[str, Any]:
    status = params.get("status", "open")
    if status == "all":
        status = None
    elif status not in INCIDENT_STATUSES:
        raise _invalid("status", "must be open, resolved, closed or all")
    severity = params.get("min_severity") or None
    if severity is not None and severity not in ("1", "2", "3", "4"):
        raise _invalid("min_severity", "must be 1 to 4")
    rm = _rm(caller)
    result = page(caller, rm.incidents(
        status=status, min_severity=int(severity) if severity else None,
        site_id=_slug(params, "site_id"), scope=caller.scope, limit=PAGE_LIMIT,
        cursor=_cursor(params),
    ))
    zones: dict[str, str | None] = {}
    names: dict[str, str] = {}
    for item in result["items"]:
        site_id = item.get("site_id")
        if site_id and site_id not in zones:
            row = rm.site(site_id)
            zones[site_id] = fmt.zone_for(row)
            names[site_id] = (row or {}).get("name") or site_id
    items = sorted(
        result["items"],
        key=lambda i: (i.get("status") != "open", -(i.get("severity") or 0),
                       -(i.get("age_seconds") or 0)),
    )
    return {
        "items": items, "zones": zones, "names": names, "next": result["next"],
        "as_of_position": result["as_of_position"], "status": status or "all",
        "min_severity": severity or "",
    }


def _incident_rows(found: dict[str, Any]) -> str:
    return TEMPLATES.get_template("_incident_rows.html").render(**found)


@router.get("/incidents")
def incidents_page(request: Request) -> Response:
    params = request.query_params

    def build(caller: Caller) -> tuple[str, dict[str, Any]]:
        found = _incidents(caller, params)
        live_query = _query(
            {"status": found["status"], "min_severity": found["min_severity"],
             "site_id": params.get("site_id")}
        )
        next_query = (
            _query({**dict(params), "cursor": found["next"]}) if found["next"] else None
        )
        return "incidents.html", {
            **found, "rows_html": _incident_rows(found),
            "live_url": f"/live/incidents?{live_query}", "next_query": next_query,
        }

    return _signed_page(request, "incidents.read", build)


@router.get("/live/incidents")
def live_incidents(request: Request) -> Response:
    caller = signed_in(request)
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
            p for p in found["personnel"]
            if show_all or p["pledges"] or p["concerns"] or p["reviews"]
            or p["incidents"]
        ]
        return "register.html", {
            "units": found["units"], "personnel": people, "zones": zones,
            "show_all": show_all, "hidden_people": len(found["personnel"]) - len(people),
            "as_of_position": found["as_of_position"],
        }

    return _signed_page(request, "register.read", build)


def _local_target(value: str | None) -> str:
    """Only a path on this site, so the sign-in form cannot redirect elsewhere."""
    if value and value.startswith("/") and not value.startswith(("//", "/\\")):
        return value
    return "/"


def _same_site(request: Request) -> bool:
    """Refuses a cross-site form post (login CSRF): the browser names its origin."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    return origin == f"{request.url.scheme}://{request.url.netloc}"


@router.get("/sign-in")
def sign_in_page(request: Request) -> Response:
    if signed_in(request) is not None:
        return RedirectResponse(_local_target(request.query_params.get("next")), 303)
    return _html(
        request, "sign_in.html",
        {"next": _local_target(request.query_params.get("next")), "error": None},
    )


@router.post("/sign-in")
async def sign_in(request: Request) -> Response:
    if not _same_site(request):
        return _html(request, "sign_in.html", {
            "next": "/", "error": "Sign in from this site's own page."}, 403)
    raw = await request.body()
    form = parse_qs(raw[:MAX_FORM].decode("utf-8", "replace"))
    secret = (form.get("key") or [""])[0].strip()
    target = _local_target((form.get("next") or ["/"])[0])
    keys: KeyStore = request.app.state.keys
    key = await run_in_threadpool(keys.authenticate, secret) if secret else None
    if key is None:
        return _html(request, "sign_in.html", {
            "next": target,
            "error": "That key is unknown or revoked. Paste the whole key, "
            "as `jaga keys create` printed it." if secret else "Paste an API key.",
        }, 401)
    response = RedirectResponse(target, 303)
    response.set_cookie(
        COOKIE, _sessions(request).open(key.key_id), max_age=int(IDLE_SECONDS),
        path="/", httponly=True, samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/sign-out")
def sign_out(request: Request) -> Response:
    if _same_site(request):
        _sessions(request).close(request.cookies.get(COOKIE))
    response = RedirectResponse("/sign-in", 303)
    response.delete_cookie(
        COOKIE, path="/", httponly=True, samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.get("/static/{name}")
def static(name: str) -> Response:
    if name not in STATIC:
        raise ApiError(404, "not_found", f"no such file: {name}")
    return FileResponse(
        HERE / "static" / name, media_type=STATIC[name],
        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
    )
