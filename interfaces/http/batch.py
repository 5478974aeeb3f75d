"""POST /api/v1/batch: many writes from a device back from a dead zone, one answer each.

Each command goes through the same endpoint function it would reach alone, so it
meets the same role, region, validation and idempotency checks; the application's
`run_batch` decides them in order and saves them together.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Annotated, Any, get_type_hints

from fastapi import APIRouter, Depends
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field, ValidationError

from application import access
from application.batch import run_batch
from interfaces.http.deps import Caller, writer
from interfaces.http.errors import ApiError, forbidden, outcome, validation_body
from interfaces.http.schemas import ERRORS, Body, WriteAnswer

router = APIRouter(prefix="/api/v1", responses=ERRORS, tags=["batch"])

MAX_COMMANDS = 1000


class Command(Body):
    idempotency_key: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    method: Annotated[str, Field(max_length=10)] = "POST"
    path: Annotated[str, Field(min_length=1, max_length=500)]
    body: dict[str, Any] = Field(default_factory=dict)


class BatchRequest(Body):
    commands: Annotated[list[Command], Field(min_length=1, max_length=MAX_COMMANDS)]


class Result(BaseModel):
    status: int
    body: Any


class BatchAnswer(BaseModel):
    results: list[Result]


def write_routes(routers: list[APIRouter]) -> list[tuple[APIRoute, type[BaseModel]]]:
    """The API's writes and their bodies, for matching batch commands."""
    return [
        (r, get_type_hints(r.endpoint)["body"])
        for router in routers
        for r in router.routes
        if isinstance(r, APIRoute) and r.response_model is WriteAnswer
    ]


def _right(route: APIRoute) -> str:
    for dependency in route.dependant.dependencies:
        right = getattr(dependency.call, "right", None)
        if right is not None:
            return str(right)
    raise LookupError(route.path)


def _prepare(
    item: Command, caller: Caller, routes: list[tuple[APIRoute, type[BaseModel]]]
) -> Any:
    """The item as a command of `run_batch`, or the error it answers with."""
    path = item.path.split("?", 1)[0]
    if item.method.upper() != "POST":
        return ApiError(
            405,
            "method_not_allowed",
            "a batch carries POST writes only",
            method=item.method,
        )
    for route, model in routes:
        found = route.path_regex.match(path)
        if found is None:
            continue
        if not access.may(caller.role, _right(route)):
            return forbidden(f"the {caller.role} role may not do this", path=path)
        try:
            parsed = model.model_validate_json(json.dumps(item.body))
        except ValidationError as error:
            return error
        params = found.groupdict()
        own = replace(caller, idempotency_key=item.idempotency_key, path=path)

        def command(
            view: Any,
            route: APIRoute = route,
            parsed: BaseModel = parsed,
            params: dict[str, str] = params,
            own: Caller = own,
        ) -> Any:
            return route.endpoint(**params, body=parsed, w=replace(own, app=view))

        return command
    return ApiError(404, "not_found", f"no write at POST {item.path}", path=item.path)


@router.post("/batch", response_model=BatchAnswer)
def batch(
    payload: BatchRequest, caller: Annotated[Caller, Depends(writer("batch"))]
) -> dict[str, Any]:
    routes = caller.request.app.state.write_routes
    prepared = [_prepare(item, caller, routes) for item in payload.commands]
    runnable = [p for p in prepared if not isinstance(p, Exception)]
    done = iter(run_batch(caller.app, runnable))
    results: list[Result] = []
    for p in prepared:
        result = p if isinstance(p, Exception) else next(done)
        if isinstance(result, ValidationError):
            results.append(
                Result(status=422, body=validation_body(list(result.errors())))
            )
        elif isinstance(result, Exception):
            status, body = outcome(result)
            results.append(Result(status=status, body=body))
        else:
            results.append(Result(status=201, body=result))
    return {"results": results}
