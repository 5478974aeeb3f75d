"""Signing out ends the session on the server; a cross-site sign-out is refused and
leaves nothing half done (no cleared cookie over a session that lives on)."""

from __future__ import annotations

import re

from tests.e2e.conftest import Api

ORIGIN = "http://testserver"


def _sign_in(api: Api) -> str:
    secret = api.key("ops")["Authorization"].removeprefix("Bearer ")
    signed = api.client.post(
        "/sign-in",
        data={"key": secret, "next": "/"},
        headers={"Origin": ORIGIN},
        follow_redirects=False,
    )
    assert signed.status_code == 303, signed.text
    return str(signed.cookies["jaga_session"])


def _signed_in(api: Api, session: str) -> bool:
    api.client.cookies.set("jaga_session", session)
    page = api.client.get("/", follow_redirects=False)
    return page.status_code == 200


def test_a_cross_site_sign_out_is_refused_and_changes_nothing(api: Api) -> None:
    session = _sign_in(api)
    for headers, form in (
        ({"Origin": "https://evil.example"}, {}),
        ({"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}, {}),
        ({"Origin": ORIGIN}, {"csrf": "forged"}),
        ({"Origin": ORIGIN}, {}),
    ):
        api.client.cookies.set("jaga_session", session)
        refused = api.client.post(
            "/sign-out", data=form, headers=headers, follow_redirects=False
        )
        assert refused.status_code == 403, (headers, form)
        assert "jaga_session" not in refused.headers.get("set-cookie", "")
        assert _signed_in(api, session)


def test_signing_out_ends_the_session_on_the_server(api: Api) -> None:
    session = _sign_in(api)
    assert _signed_in(api, session)
    page = api.client.get("/")
    token = re.search(r'name="csrf" content="([0-9a-f]+)"', page.text)
    assert token is not None
    out = api.client.post(
        "/sign-out",
        data={"csrf": token.group(1)},
        headers={"Origin": ORIGIN},
        follow_redirects=False,
    )
    assert out.status_code == 303
    assert not _signed_in(api, session)  # the old cookie, replayed, is dead
