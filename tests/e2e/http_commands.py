"""The application's commands sent over HTTP, so `load_demo` can drive the API: each
command goes to the path its declaration names, its other fields as the body."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from application.commands import Command
from application.commands.registry import path_params
from application.writes import Context


class HttpCommands:
    """Looks like the application to `load_demo`; every command is a POST."""

    def __init__(
        self,
        client: TestClient,
        headers: dict[str, str],
        by_role: dict[str, dict[str, str]] | None = None,
    ) -> None:
        self.client = client
        self.headers = headers
        # Keys for the steps another role takes (Bawaslu's review).
        self.by_role = by_role or {}
        self.sent: list[tuple[str, int]] = []

    def run(self, ctx: Context, command: Command) -> dict[str, Any]:
        ids = path_params(type(command))
        fields = command.model_dump(mode="json", exclude_unset=True)
        path = "/api/v1" + command.path.format(**{i: fields.pop(i) for i in ids})
        body = {k: v for k, v in fields.items() if v is not None}
        headers = dict(self.by_role.get(ctx.actor.role, self.headers))
        if ctx.idempotency_key:
            headers["Idempotency-Key"] = ctx.idempotency_key
        reply = self.client.post(path, json=body, headers=headers)
        self.sent.append((path, reply.status_code))
        assert reply.status_code == 201, (path, reply.json())
        answer: dict[str, Any] = reply.json()
        return answer
