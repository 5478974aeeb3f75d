"""Every request: its ids, a cap on its body, one log line and its metrics."""

from __future__ import annotations

import random
import re
import time

import structlog
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from interfaces.http.errors import answer
from interfaces.http.metrics import Metrics

log = structlog.get_logger("jaga.http")

MAX_BODY = 1024 * 1024
MAX_BATCH_BODY = 10 * 1024 * 1024
# Uploads stream to disk; their own limit (a setting) is checked as they arrive.
MAX_UPLOAD_BODY = 65 * 1024 * 1024
SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,200}$")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def body_limit(path: str) -> int:
    path = path.rstrip("/")
    if path == "/api/v1/attachments":
        return MAX_UPLOAD_BODY
    return MAX_BATCH_BODY if path == "/api/v1/batch" else MAX_BODY


class RequestMiddleware:
    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = _header(scope, b"x-request-id")
        # Not uuid4: os.urandom lets go of the GIL, and the event loop then waits
        # behind the worker threads to get it back. Ids need to be unique, not secret.
        fresh = f"{random.getrandbits(128):032x}"
        request_id = given if given and SAFE_ID.match(given) else fresh
        correlation = _header(scope, b"x-correlation-id")
        correlation_id = (
            correlation if correlation and SAFE_ID.match(correlation) else request_id
        )
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        state["correlation_id"] = correlation_id
        structlog.contextvars.bind_contextvars(
            request_id=request_id, correlation_id=correlation_id
        )
        started = time.perf_counter()
        status = {"code": 500}
        limit = body_limit(scope.get("path", ""))

        async def send_with_ids(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"],
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        try:
            length = _header(scope, b"content-length")
            if length is not None and length.isdigit() and int(length) > limit:
                await self._too_large(scope, receive, send_with_ids, limit)
            else:
                await self.app(scope, _capped(receive, limit), send_with_ids)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            template = getattr(route, "path", "unmatched")
            self.metrics.observe(scope["method"], template, status["code"], elapsed)
            log.info(
                "request",
                method=scope["method"],
                path=scope.get("path"),
                status=status["code"],
                ms=round(elapsed * 1000, 1),
                actor=state.get("actor"),
                role=state.get("role"),
            )
            structlog.contextvars.unbind_contextvars("request_id", "correlation_id")

    @staticmethod
    async def _too_large(
        scope: Scope, receive: Receive, send: Send, limit: int
    ) -> None:
        response = answer(
            413,
            "too_large",
            f"the request body is over {limit} bytes",
            {"limit": limit},
        )
        await response(scope, receive, send)


def _capped(receive: Receive, limit: int) -> Receive:
    """Counts a streamed body and stops it at the limit."""
    seen = {"bytes": 0}

    async def wrapped() -> Message:
        message = await receive()
        if message["type"] == "http.request":
            seen["bytes"] += len(message.get("body", b""))
            if seen["bytes"] > limit:
                raise HTTPException(413, f"the request body is over {limit} bytes")
        return message

    return wrapped
