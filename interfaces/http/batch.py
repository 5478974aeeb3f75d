"""POST /api/v1/batch: many writes from a device back from a dead zone, one answer
each.

Each item is read into the same command its path takes alone, with the same
validation, and the application runs them as one unit of work: the same right,
region and idempotency checks, decided in order, saved together.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field, ValidationError

from application import access
from application.batch import MAX_BATCH, run_batch
from application.commands import Command, match
from application.commands.registry import path_params
from interfaces.http.deps import Caller, writer
from interfaces.http.errors import ApiError, forbidden, outcome, validation_body
from interfaces.http.schemas import ERRORS, Body, IdempotencyKey

router = APIRouter(prefix="/api/v1", responses=ERRORS, tags=["batch"])

API_ROOT = "/api/v1"


class Item(Body):
    idempotency_key: IdempotencyKey | None = None
    method: Annotated[str, Field(max_length=10)] = "POST"
    path: Annotated[str, Field(min_length=1, max_length=500)]
    body: dict[str, Any] = Field(default_factory=dict)


class BatchRequest(Body):
    commands: Annotated[list[Item], Field(min_length=1, max_length=MAX_BATCH)]


class Result(BaseModel):
    status: int
    body: Any


class BatchAnswer(BaseModel):
    results: list[Result]


def read_item(item: Item, role: str) -> Command | Exception:
    """The command an item carries, or the error it answers with."""
    path = item.path.split("?", 1)[0]
    if item.method.upper() != "POST":
        return ApiError(
            405,
            "method_not_allowed",
            "a batch carries POST writes only",
            method=item.method,
        )
    found = match(path.removeprefix(API_ROOT)) if path.startswith(API_ROOT) else None
    if found is None:
        return ApiError(
            404, "not_found", f"no write at POST {item.path}", path=item.path
        )
    command, ids = found
    if not access.may(role, command.right):
        return forbidden(f"the {role} role may not do this", path=path)
    given = sorted(set(item.body) & set(path_params(command)))
    if given:
        return ApiError(
            422, "invalid_value", f"{given[0]}: is given by the path", field=given[0]
        )
    try:
        return command.model_validate_json(json.dumps({**item.body, **ids}))
    except ValidationError as error:
        return error


def result_of(answer: Any) -> Result:
    if isinstance(answer, ValidationError):
        return Result(status=422, body=validation_body(list(answer.errors())))
    if isinstance(answer, Exception):
        status, body = outcome(answer)
        return Result(status=status, body=body)
    return Result(status=201, body=answer)


@router.post("/batch", response_model=BatchAnswer)
def batch(
    payload: BatchRequest, caller: Annotated[Caller, Depends(writer("batch"))]
) -> dict[str, Any]:
    read = [read_item(item, caller.role) for item in payload.commands]
    runnable = [
        (caller.context(item.idempotency_key), command)
        for item, command in zip(payload.commands, read, strict=True)
        if isinstance(command, Command)
    ]
    done = iter(run_batch(caller.app, runnable))
    answers = [c if isinstance(c, Exception) else next(done) for c in read]
    return {"results": [result_of(a) for a in answers]}
