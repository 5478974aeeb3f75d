"""The site board: every site with its status and reasons, worst first, live."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from application import access
from domain.errors import DomainError
from domain.site import KINDS
from interfaces.http.deps import Caller
from interfaces.http.errors import ApiError, domain_status
from interfaces.http.reading import page, redact_site_row
from interfaces.i18n import _
from interfaces.i18n.errors import said
from interfaces.web import auth
from interfaces.web import format as fmt
from interfaces.web import params as checks
from interfaces.web.names import Names
from interfaces.web.render import HEADERS, TEMPLATES, html, refusal

BOARD_LIMIT = 500
STATUSES = ("green", "amber", "red")

router = APIRouter(include_in_schema=False)


def read_model(caller: Caller) -> Any:
    return caller.request.app.state.read_model


def signed_page(
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


def board(caller: Caller, params: Any, live: bool = False) -> dict[str, Any]:
    filters = _board_filters(params)
    past = {"as_of": None, "as_of_position": None} if live else checks.as_of(params)
    result = read_model(caller).sites(
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


def choices(caller: Caller) -> dict[str, Any]:
    """The provinces and regencies of the filters: those of the sites in reach."""
    everything = read_model(caller).sites(scope=caller.scope, limit=1000)["items"]
    provinces = sorted(
        {(s["province"], s.get("province_name") or s["province"]) for s in everything},
        key=lambda p: p[1],
    )
    regencies = sorted(
        {
            (s["regency"], s.get("regency_name") or s["regency"], s["province"])
            for s in everything
        },
        key=lambda r: r[1],
    )
    return {"provinces": provinces, "regencies": regencies}


@router.get("/")
def board_page(request: Request) -> Response:
    params = request.query_params

    def build(caller: Caller) -> tuple[str, dict[str, Any]]:
        found = board(caller, params)
        lists = choices(caller)
        provinces, regencies = lists["provinces"], lists["regencies"]
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
            **maps_context(caller, found),
        }

    response = signed_page(request, "board.read", build)
    from interfaces.web import maps  # the map module builds on this one

    response.headers.update(maps.headers_for(request))
    return response


@router.get("/live/board")
def live_board(request: Request) -> Response:
    """The board's rows as HTML cells for the page's script to swap in place."""
    caller = auth.signed_in(request)
    if caller is None:
        return JSONResponse({"error": {"code": "unauthorized"}}, 401, HEADERS)
    if not access.may(caller.role, "board.read"):
        return JSONResponse({"error": {"code": "forbidden"}}, 403, HEADERS)
    try:
        found = board(caller, request.query_params, live=True)
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


def maps_context(caller: Caller, found: dict[str, Any]) -> dict[str, Any]:
    from interfaces.web import maps  # the map module builds on this one

    return maps.map_context(caller.request, found)
