"""No log line holds a secret, in either mode: not an API key, a Bearer value or a
session id, not in a field, an exception's text or a traceback."""

from __future__ import annotations

import dataclasses
import logging

import pytest
from fastapi import Request
from fastapi.testclient import TestClient

from infrastructure.settings import Settings
from interfaces.http.app import create_app

SECRET = "jaga_0123456789ab_SeCrEtSeCrEtSeCrEtSeCrEt"
TOKEN = "opaque-bearer-token-0123456789"
SESSION = "c2Vzc2lvbi1pZC10aGF0LW11c3Qtbm90LWxlYWs"


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_a_failing_request_logs_no_credential(
    settings: Settings, env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    api = create_app(dataclasses.replace(settings, env=env))

    async def failing(request: Request) -> None:
        headers = list(request.headers.items())  # a local a traceback could show
        raise RuntimeError(f"cannot handle {headers} {request.cookies}")

    api.add_api_route("/api/v1/failing", failing)
    with TestClient(api, raise_server_exceptions=False) as client:
        client.cookies.set("jaga_session", SESSION)
        for auth in (f"Bearer {SECRET}", f"Bearer {TOKEN}", f"bearer  {SECRET}"):
            reply = client.get(
                f"/api/v1/failing?key={SECRET}",
                headers={"Authorization": auth, "X-Request-Id": SECRET},
            )
            assert reply.status_code == 500
        logging.getLogger("uvicorn.error").exception(
            "Exception in ASGI application", exc_info=RuntimeError(SECRET + TOKEN)
        )
    written = capsys.readouterr()
    text = written.err + written.out
    assert "unexpected_error" in text and "RuntimeError" in text  # it was logged
    for secret in ("SeCrEtSeCrEt", TOKEN, SESSION):
        assert secret not in text
