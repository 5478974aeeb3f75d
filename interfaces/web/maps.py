"""The map (`/peta`, and on the board): every site a pin coloured by its status,
filtered and live like the board, on tiles from the settings or on a plain
background."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from application import access
from domain.errors import DomainError
from domain.site import KINDS
from interfaces.http.deps import Caller
from interfaces.http.errors import ApiError
from interfaces.i18n import label
from interfaces.web import auth, board
from interfaces.web import format as fmt
from interfaces.web import params as checks
from interfaces.web.render import HEADERS

router = APIRouter(include_in_schema=False)


def tiles(request: Request) -> dict[str, str]:
    settings = request.app.state.settings
    return {
        "map_tiles": settings.map_tiles or "",
        "map_attribution": settings.map_attribution or "",
    }


def tile_origin(url: str | None) -> str | None:
    """The origin the page may load tiles from (`{s}` subdomains as a wildcard)."""
    if not url:
        return None
    found = urlparse(url.replace("{s}", "tiles"))
    if found.scheme not in ("http", "https") or not found.netloc:
        return None
    host = found.netloc.replace("tiles.", "*.", 1) if "{s}" in url else found.netloc
    return f"{found.scheme}://{host}"


def headers_for(request: Request) -> dict[str, str]:
    """The page's headers, letting images come from the tile server."""
    origin = tile_origin(request.app.state.settings.map_tiles)
    if origin is None:
        return HEADERS
    policy = HEADERS["Content-Security-Policy"].replace(
        "img-src 'self' data:", f"img-src 'self' data: {origin}"
    )
    return {**HEADERS, "Content-Security-Policy": policy}


def pins(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "site_id": r["site_id"],
            "name": r["name"],
            "lat": r["lat"],
            "lon": r["lon"],
            "status": r["status"],
            "status_text": label("status", r["status"]),
            "kind_text": label("kind", r["kind"]),
            "reasons": [fmt.reason(c) for c in r.get("reason_codes") or []],
            "regency_name": r.get("regency_name") or r.get("regency"),
            "province_name": r.get("province_name") or r.get("province"),
        }
        for r in rows
        if r.get("lat") is not None and r.get("lon") is not None
    ]


def map_context(request: Request, found: dict[str, Any]) -> dict[str, Any]:
    rows = found["result"]["items"]
    query = checks.query(found["filters"])
    return {
        **tiles(request),
        "pins_url": "/live/pins" + (f"?{query}" if query else ""),
        "unplaced": [r for r in rows if r.get("lat") is None or r.get("lon") is None],
    }


@router.get("/peta")
def map_page(request: Request) -> Response:
    params = request.query_params

    def build(caller: Caller) -> tuple[str, dict[str, Any]]:
        found = board.board(caller, params, live=True)
        return "map.html", {
            **found,
            **board.choices(caller),
            **map_context(request, found),
            "kinds": KINDS,
            "statuses": board.STATUSES,
            "as_of_position": found["result"]["as_of_position"],
        }

    response = board.signed_page(request, "board.read", build)
    response.headers.update(headers_for(request))
    return response


@router.get("/live/pins")
def live_pins(request: Request) -> Response:
    caller = auth.signed_in(request)
    if caller is None:
        return JSONResponse({"error": {"code": "unauthorized"}}, 401, HEADERS)
    if not access.may(caller.role, "board.read"):
        return JSONResponse({"error": {"code": "forbidden"}}, 403, HEADERS)
    try:
        found = board.board(caller, request.query_params, live=True)
    except (ApiError, DomainError) as error:
        return JSONResponse({"error": {"message": str(error)}}, 422, HEADERS)
    return JSONResponse(
        {
            "pins": pins(found["result"]["items"]),
            "as_of_position": found["result"]["as_of_position"],
        },
        headers=HEADERS,
    )
