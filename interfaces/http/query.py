"""Query strings hold only what the endpoint declares: `?from=1&to=200` on an export
that takes `from_position` and `to_position` is a 422 naming `from`, not a whole
export. And no path or query value holds a NUL, which no store keeps as text."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Receive, Scope, Send

from interfaces.http.errors import answer
from interfaces.http.intake import api_route


def declared(route: object) -> frozenset[str]:
    """The query parameters the route and its dependencies take, by their names."""
    names: set[str] = set()
    stack = [getattr(route, "dependant", None)]
    while stack:
        dependant = stack.pop()
        if dependant is not None:
            names.update(p.alias for p in dependant.query_params)
            stack.extend(dependant.dependencies)
    return frozenset(names)


class UnknownQuery:
    """Answers 422 naming every query parameter the matched API route does not
    declare; requests for no API route (the dashboard) pass as they are."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._declared: dict[int, frozenset[str]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw = scope.get("query_string", b"")
        given = parse_qsl(raw.decode("latin-1"), keep_blank_values=True) if raw else []
        refused = _nul(scope, given) or self._unknown(scope, given)
        if refused is not None:
            field, message, details = refused
            response = answer(422, "invalid_value", f"{field}: {message}", details)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _unknown(self, scope: Scope, given: list[tuple[str, str]]) -> Refusal | None:
        route = api_route(scope) if given else None
        if route is None:
            return None
        names = self._declared.get(id(route))
        if names is None:
            names = self._declared[id(route)] = declared(route)
        if scope["method"] == "GET" and scope["path"].startswith("/api/v1/"):
            names = names | {"format"}  # every read speaks CSV (csv_answers)
        unknown = sorted({name for name, _ in given} - names)
        if not unknown:
            return None
        details = {"field": unknown[0], "unknown": unknown, "allowed": sorted(names)}
        return unknown[0], "is not a parameter of this address", details


Refusal = tuple[str, str, dict[str, Any]]


def _nul(scope: Scope, given: list[tuple[str, str]]) -> Refusal | None:
    for name, value in given:
        if "\x00" in name or "\x00" in value:
            return name, "must not hold a NUL character", {"field": name}
    if "\x00" in scope.get("path", ""):
        return "path", "must not hold a NUL character", {"field": "path"}
    return None
