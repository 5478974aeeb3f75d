"""The dashboard calling the API: its session cookie plus a token only its pages know.

The token is a hash of the session id, so any server process can check it without
shared state, and a page from another site, which cannot read the HttpOnly cookie,
cannot know it. The cookie is also SameSite=Strict and the request must come from
this site.
"""

from __future__ import annotations

import hashlib
import hmac

from fastapi import Request

from infrastructure.keys import ApiKey
from interfaces.web.session import COOKIE

HEADER = "x-csrf-token"


def token(session_id: str | None) -> str:
    if not session_id:
        return ""
    return hashlib.sha256(b"jaga-csrf\x00" + session_id.encode()).hexdigest()


def page_token(request: Request) -> str:
    """The token a page embeds for its scripts."""
    return token(request.cookies.get(COOKIE))


def session_key(request: Request) -> ApiKey | None:
    """The signed-in key, when the request carries the session's token and comes
    from this site; None otherwise."""
    session = request.cookies.get(COOKIE)
    given = request.headers.get(HEADER) or ""
    if not session or not given or not hmac.compare_digest(given, token(session)):
        return None
    from interfaces.web import auth  # auth renders pages, which embed the token

    if not auth.same_site(request):
        return None
    caller = auth.signed_in(request)
    return None if caller is None else caller.key
