"""Query strings hold only what the endpoint declares: `?from=1&to=200` on an export
that takes `from_position` and `to_position` is a 422 naming `from`, not a whole
export."""

from __future__ import annotations

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
        raw = scope.get("query_string", b"") if scope["type"] == "http" else b""
        route = api_route(scope) if raw else None
        if route is not None:
            names = self._declared.get(id(route))
            if names is None:
                names = self._declared[id(route)] = declared(route)
            if scope["method"] == "GET" and scope["path"].startswith("/api/v1/"):
                names = names | {"format"}  # every read speaks CSV (csv_answers)
            given = parse_qsl(raw.decode("latin-1"), keep_blank_values=True)
            unknown = sorted({name for name, _ in given} - names)
            if unknown:
                field = unknown[0]
                response = answer(
                    422,
                    "invalid_value",
                    f"{field}: is not a parameter of this address",
                    {"field": field, "unknown": unknown, "allowed": sorted(names)},
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
