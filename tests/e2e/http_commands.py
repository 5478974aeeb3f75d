"""The application's commands sent over HTTP, so `load_demo` can drive the API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient

from application.writes import Context

# command -> (path, names of the positional arguments that go into the path)
PATHS: dict[str, tuple[str, tuple[str, ...]]] = {
    "register_unit": ("/api/v1/units", ()),
    "register_personnel": ("/api/v1/personnel", ()),
    "register_site": ("/api/v1/sites", ()),
    "change_alert_level": ("/api/v1/sites/{0}/alert-level", ("site_id",)),
    "issue_assignment": ("/api/v1/assignments", ()),
    "start_shift": ("/api/v1/sites/{0}/shifts", ("site_id",)),
    "hand_over": ("/api/v1/sites/{0}/shifts/{1}/handover", ("site_id", "shift_id")),
    "check_in": ("/api/v1/sites/{0}/check-ins", ("site_id",)),
    "check_out": ("/api/v1/sites/{0}/check-outs", ("site_id",)),
    "record_seals": ("/api/v1/sites/{0}/seals", ("site_id",)),
    "plan_patrol": ("/api/v1/patrols", ()),
    "start_patrol": ("/api/v1/patrols/{0}/start", ("patrol_id",)),
    "record_visit": ("/api/v1/patrols/{0}/visits", ("patrol_id", "site_id")),
    "end_patrol": ("/api/v1/patrols/{0}/end", ("patrol_id",)),
    "record_pledge": ("/api/v1/neutrality/pledges", ()),
}


def _json(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json(v) for v in value]
    return value


class HttpCommands:
    """Looks like the application to `load_demo`; every command is a POST."""

    def __init__(self, client: TestClient, headers: dict[str, str]) -> None:
        self.client = client
        self.headers = headers
        self.sent: list[tuple[str, int]] = []

    def __getattr__(self, name: str) -> Any:
        if name not in PATHS:
            raise AttributeError(name)
        template, in_path = PATHS[name]

        def command(ctx: Context, *args: Any, **fields: Any) -> dict[str, Any]:
            path = template.format(*args[: template.count("{")])
            body = {k: v for k, v in fields.items() if v is not None}
            # A visit's site is the second argument but travels in the body.
            for arg_name, value in zip(in_path, args, strict=False):
                if "{" + str(in_path.index(arg_name)) + "}" not in template:
                    body[arg_name] = value
            headers = dict(self.headers)
            if ctx.idempotency_key:
                headers["Idempotency-Key"] = ctx.idempotency_key
            reply = self.client.post(path, json=_json(body), headers=headers)
            self.sent.append((path, reply.status_code))
            assert reply.status_code == 201, (path, reply.json())
            answer: dict[str, Any] = reply.json()
            return answer

        return command
