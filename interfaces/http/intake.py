"""The gate in front of every write: the caller's key from the headers first, then
the body within a deadline, and only then one of the write slots.

A client that sends its body slowly, or never, holds nothing anyone else needs: it
is refused before its body when it brings no key, and a slot is taken only once the
whole body is here.
"""

from __future__ import annotations

import asyncio
from typing import Any

import structlog
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from interfaces.http.errors import UNAVAILABLE, answer, unavailable_answer

log = structlog.get_logger("jaga.http")

WRITE_SLOTS = 16
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# A whole JSON body (at most 10 MiB) must arrive within this; a phone on a slow
# uplink sends a command in well under a second.
BODY_SECONDS = 10.0
# Uploads stream to disk as they arrive, hold no slot, and may take longer: no
# pause between two parts longer than BODY_SECONDS, at least this many bytes a
# second overall.
UPLOAD_BYTES_PER_SECOND = 32 * 1024
UPLOAD_PATH = "/api/v1/attachments"


class BodyTimeout(Exception):
    pass


def needs_key(route: Any) -> bool:
    """True when the route's dependencies include a key check (`reader`/`writer`)."""
    dependant = getattr(route, "dependant", None)
    stack = list(getattr(dependant, "dependencies", []))
    while stack:
        dependency = stack.pop()
        if hasattr(dependency.call, "right"):
            return True
        stack.extend(dependency.dependencies)
    return False


def api_route(scope: Scope) -> Any | None:
    # The API's own routes, as declared (the app keeps them: interfaces/http/app).
    state = getattr(scope.get("app"), "state", None)
    for route in getattr(state, "routes", []):
        match, _ = route.matches(scope)
        if match == Match.FULL:
            return route
    return None


def timeout_answer(seconds: float) -> Any:
    return answer(
        408,
        "request_timeout",
        f"the request body did not arrive within {seconds:g} seconds",
        {"seconds": seconds},
        headers={"Connection": "close"},
    )


class Intake:
    """Key, then body, then slot: at most `slots` writes in the worker threads at
    once; the rest wait on the event loop, holding no thread.

    Under more writes than the machine can save, every busy thread contends for
    the one interpreter lock, so a board read would wait behind all of them. With
    the writers capped, reads keep their pace and the writes still share each
    group commit.
    """

    def __init__(
        self,
        app: ASGIApp,
        slots: int = WRITE_SLOTS,
        body_seconds: float = BODY_SECONDS,
    ) -> None:
        self.app = app
        self.slots = asyncio.Semaphore(slots)
        self.body_seconds = body_seconds
        self._needs_key: dict[int, bool] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in WRITE_METHODS:
            await self.app(scope, receive, send)
            return
        refused = await self._refuse_without_key(scope)
        if refused is not None:
            await refused(scope, receive, send)
            return
        if scope.get("path", "").rstrip("/") == UPLOAD_PATH:
            await self.app(scope, self._paced(scope, receive), send)
            return
        try:
            messages = await self._read(receive)
        except BodyTimeout:
            await timeout_answer(self.body_seconds)(scope, receive, send)
            return
        except HTTPException as error:  # over the size cap (RequestMiddleware)
            response = answer(error.status_code, "too_large", str(error.detail))
            await response(scope, receive, send)
            return
        if messages is None:
            return  # the client went away before its body was whole
        # The answer is sent after the slot is let go: a client that does not read
        # it holds its own connection, not a slot.
        answered: list[Message] = []

        async def keep(message: Message) -> None:
            answered.append(message)

        async with self.slots:
            await self.app(scope, _replay(messages, receive), keep)
        for message in answered:
            await send(message)

    async def _refuse_without_key(self, scope: Scope) -> Any | None:
        """A 401 answer when the route takes a key and the headers hold no live one;
        the key found is left for the route's own check."""
        route = api_route(scope)
        if route is None:
            return None
        needed = self._needs_key.get(id(route))
        if needed is None:
            needed = self._needs_key[id(route)] = needs_key(route)
        if not needed:
            return None
        from interfaces.http.deps import key_from_headers

        request = Request(scope)
        try:
            key = await key_from_headers(request)
        except HTTPException:
            return None  # malformed headers: the route answers as it always does
        except UNAVAILABLE:
            # Outside the app's own error mapping: the store is down for writers.
            log.warning("store_unavailable", path=scope.get("path"))
            return unavailable_answer()
        if key is None:
            return answer(
                401, "unauthorized", "send an API key: Authorization: Bearer <key>"
            )
        scope.setdefault("state", {})["key"] = key
        return None

    async def _read(self, receive: Receive) -> list[Message] | None:
        """The whole body, or BodyTimeout when it takes longer than the deadline."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.body_seconds
        messages: list[Message] = []
        while True:
            left = deadline - loop.time()
            if left <= 0:
                raise BodyTimeout
            try:
                message = await asyncio.wait_for(receive(), left)
            except TimeoutError:
                raise BodyTimeout from None
            if message["type"] == "http.disconnect":
                return None
            messages.append(message)
            if not message.get("more_body", False):
                return messages

    def _paced(self, scope: Scope, receive: Receive) -> Receive:
        """An upload's parts, each within BODY_SECONDS of the last, the whole at no
        less than UPLOAD_BYTES_PER_SECOND; 408 (through the app) when slower."""
        loop = asyncio.get_running_loop()
        length = dict(scope.get("headers", [])).get(b"content-length", b"")
        size = int(length) if length.isdigit() else 0
        deadline = loop.time() + self.body_seconds + size / UPLOAD_BYTES_PER_SECOND
        idle = self.body_seconds

        async def paced() -> Message:
            left = min(idle, deadline - loop.time())
            try:
                if left <= 0:
                    raise TimeoutError
                return await asyncio.wait_for(receive(), left)
            except TimeoutError:
                raise HTTPException(
                    408, f"the upload did not arrive within {idle:g} seconds"
                ) from None

        return paced


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """The body read already, then the connection's own messages (a disconnect)."""
    waiting = list(messages)

    async def replayed() -> Message:
        if waiting:
            return waiting.pop(0)
        return await receive()

    return replayed
