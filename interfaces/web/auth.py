"""Signing in and out: the pasted key becomes an opaque, HttpOnly session cookie."""

from __future__ import annotations

import hmac
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from domain.errors import DomainError
from infrastructure.keys import KeyStore
from infrastructure.sessions import SessionStore
from interfaces.http.deps import Caller
from interfaces.i18n import _
from interfaces.web.csrf import token as csrf_token
from interfaces.web.render import html
from interfaces.web.session import COOKIE, IDLE_SECONDS

MAX_FORM = 4096

router = APIRouter(include_in_schema=False)


def sessions(request: Request) -> SessionStore:
    found: SessionStore = request.app.state.sessions
    return found


def signed_in(request: Request) -> Caller | None:
    """The caller behind the session cookie; a revoked key is signed out at once."""
    key_id = sessions(request).key_id(request.cookies.get(COOKIE))
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


def local_target(value: str | None) -> str:
    """Only a path on this site, so the sign-in form cannot redirect elsewhere."""
    if value and value.startswith("/") and not value.startswith(("//", "/\\")):
        return value
    return "/"


def same_site(request: Request) -> bool:
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
        return RedirectResponse(local_target(request.query_params.get("next")), 303)
    return html(
        request,
        "sign_in.html",
        {"next": local_target(request.query_params.get("next")), "error": None},
    )


@router.post("/sign-in")
async def sign_in(request: Request) -> Response:
    if not same_site(request):
        return html(
            request,
            "sign_in.html",
            {"next": "/", "error": _("Sign in from this site's own page.")},
            403,
        )
    raw = await request.body()
    form = parse_qs(raw[:MAX_FORM].decode("utf-8", "replace"))
    secret = (form.get("key") or [""])[0].strip()
    target = local_target((form.get("next") or ["/"])[0])
    keys: KeyStore = request.app.state.keys
    key = await run_in_threadpool(keys.authenticate, secret) if secret else None
    if key is None:
        return html(
            request,
            "sign_in.html",
            {
                "next": target,
                "error": _(
                    "That key is unknown or revoked. Paste the whole key, "
                    "as `jaga keys create` printed it."
                )
                if secret
                else _("Paste an API key."),
            },
            401,
        )
    session_id = await run_in_threadpool(sessions(request).open, key.key_id)
    response = RedirectResponse(target, 303)
    response.set_cookie(
        COOKIE,
        session_id,
        max_age=int(IDLE_SECONDS),
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    """Ends the session on every server process. Only the dashboard's own form may
    (this site's origin and the page's token): a cross-site post is refused and
    changes nothing, rather than clearing the cookie of a session that lives on."""
    session_id = request.cookies.get(COOKIE)
    raw = await request.body()
    form = parse_qs(raw[:MAX_FORM].decode("utf-8", "replace"))
    given = (form.get("csrf") or [""])[0]
    if session_id and not (
        same_site(request) and hmac.compare_digest(given, csrf_token(session_id))
    ):
        return html(
            request,
            "sign_in.html",
            {"next": "/", "error": _("Sign out from this site's own page.")},
            403,
        )
    await run_in_threadpool(sessions(request).close, session_id)
    response = RedirectResponse("/sign-in", 303)
    response.delete_cookie(
        COOKIE,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response
