"""The language switch: the browser's choice, remembered in a cookie for a year."""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from interfaces import i18n

MAX_FORM = 4096
YEAR = 365 * 24 * 3600

router = APIRouter(include_in_schema=False)


def local_target(value: str | None) -> str:
    """Only a path on this site, so the switch cannot redirect elsewhere."""
    if value and value.startswith("/") and not value.startswith(("//", "/\\")):
        return value
    return "/"


@router.post("/language")
async def choose_language(request: Request) -> Response:
    raw = await request.body()
    form = parse_qs(raw[:MAX_FORM].decode("utf-8", "replace"))
    chosen = (form.get("lang") or [""])[0]
    response = RedirectResponse(local_target((form.get("next") or ["/"])[0]), 303)
    if chosen in i18n.LANGUAGES:
        response.set_cookie(
            i18n.COOKIE,
            chosen,
            max_age=YEAR,
            path="/",
            samesite="lax",
            secure=request.url.scheme == "https",
        )
    return response
