"""Every command of the application as a write of the API: one route each, made from
its declaration (its path, its fields as the body, the right it needs).

The route parses and validates the body, authenticates the key and hands the
command to the application, which checks the key's regions, decides and saves.
"""

from __future__ import annotations

import inspect
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError, create_model

from application.commands import COMMANDS, Command
from application.commands.registry import path_params
from interfaces.http.deps import Caller, writer
from interfaces.http.schemas import ERRORS, Body, WriteAnswer

router = APIRouter(prefix="/api/v1", responses=ERRORS)


def body_model(command: type[Command]) -> type[BaseModel]:
    """The command's fields less those its path gives."""
    ids = set(path_params(command))
    fields: dict[str, Any] = {
        name: (info.annotation, info)
        for name, info in command.model_fields.items()
        if name not in ids
    }
    model: type[BaseModel] = create_model(
        f"{command.__name__}Body", __base__=Body, __doc__=command.__doc__, **fields
    )
    return model


def parse(command: type[Command], values: dict[str, Any]) -> Command:
    """The command from values already checked field by field."""
    try:
        return command.model_validate(values)
    except ValidationError as error:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in error.errors()]
        ) from None


def _route(command: type[Command]) -> None:
    model = body_model(command)
    ids = path_params(command)

    async def endpoint(w: Caller, body: BaseModel, **path: str) -> dict[str, Any]:
        values = {**body.model_dump(exclude_unset=True), **path}
        return await w.app.run_async(w.context(), parse(command, values))

    parameters = [
        inspect.Parameter(
            "w",
            inspect.Parameter.KEYWORD_ONLY,
            annotation=Annotated[Caller, Depends(writer(command.right))],
        ),
        inspect.Parameter("body", inspect.Parameter.KEYWORD_ONLY, annotation=model),
    ]
    for name in ids:
        info = command.model_fields[name]
        kind: Any = Annotated[info.annotation, *info.metadata, Path()]
        parameters.append(
            inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=kind)
        )
    endpoint.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    endpoint.__name__ = command.command_name
    doc = (command.__doc__ or "").strip()
    router.add_api_route(
        command.path,
        endpoint,
        methods=["POST"],
        status_code=201,
        response_model=WriteAnswer,
        tags=[command.tag],
        summary=doc.split("\n", 1)[0],
        name=command.command_name,
        operation_id=command.command_name,
    )


for _command in COMMANDS.values():
    _route(_command)
