"""Audit: signed checkpoints, leaves, inclusion and consistency proofs, export, verify.

The Merkle tree covers the whole log, so only keys without regions may read it. A
reader gets each event's leaf as it is hashed and the event without the values its
role may not see (application/redaction.py): their commitments stand in their place.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response, StreamingResponse

from application.redaction import AuditView, sees_everything
from infrastructure.attachments.bundled import stream_with_files
from interfaces.http.deps import Caller, reader
from interfaces.http.errors import ApiError
from interfaces.http.schemas import ERRORS

router = APIRouter(prefix="/api/v1/audit", responses=ERRORS, tags=["audit"])

Position = Annotated[int, Query(ge=1, le=2**62)]
MAX_EXPORT = 50_000
Size = Annotated[int, Query(ge=0, le=2**62)]


def auditor(caller: Annotated[Caller, Depends(reader("audit.read"))]) -> Caller:
    caller.require_unscoped("the audit log")
    return caller


Auditor = Annotated[Caller, Depends(auditor)]


def _service(request: Request) -> Any:
    return request.app.state.audit


def _view(caller: Caller, first: int, last: int) -> AuditView | None:
    """What this caller may see at positions first..last; None: everything."""
    if sees_everything(caller.role):
        return None
    read_model = caller.request.app.state.read_model
    covert, reached = read_model.covert_positions(first, last)
    return AuditView(caller.role, covert, reached)


def _call(fn: Any, *args: Any) -> Any:
    # The audit service names bad ranges with ValueError; those are the caller's.
    try:
        return fn(*args)
    except ValueError as error:
        raise ApiError(422, "invalid_value", str(error)) from error


@router.get("/checkpoint")
def checkpoint(request: Request, _: Auditor) -> dict[str, Any]:
    result: dict[str, Any] = _service(request).checkpoint()
    return result


@router.get("/leaves/{position}")
def leaf(
    position: Annotated[int, Path(ge=1, le=2**62)], request: Request, caller: Auditor
) -> dict[str, Any]:
    view = _view(caller, position, position)
    result: dict[str, Any] = _call(_service(request).leaf, position, view)
    return result


@router.get("/proofs/inclusion")
def inclusion_proof(
    request: Request, _: Auditor, position: Position, tree_size: Size
) -> dict[str, Any]:
    result: dict[str, Any] = _call(
        _service(request).inclusion_proof, position, tree_size
    )
    return result


@router.get("/proofs/consistency")
def consistency_proof(
    request: Request, _: Auditor, first: Size, second: Size
) -> dict[str, Any]:
    result: dict[str, Any] = _call(_service(request).consistency_proof, first, second)
    return result


@router.get(
    "/export",
    response_class=Response,
    responses={200: {"content": {"application/x-ndjson": {}}}},
)
def export(
    request: Request,
    caller: Auditor,
    from_position: Position = 1,
    to_position: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    attachments: Annotated[
        bool, Query(description="Include the evidence files the events name")
    ] = False,
) -> Response:
    """A bundle of at most 50,000 positions, streamed as it is read. By default it
    ends at the checkpoint most witnesses cosigned, or 50,000 positions on."""
    service = _service(request)
    if to_position is None:
        end = min(service.export_end(), from_position + MAX_EXPORT - 1)
    elif to_position - from_position + 1 > MAX_EXPORT:
        raise ApiError(
            413,
            "export_too_large",
            f"an export holds at most {MAX_EXPORT} positions; ask for the rest "
            "in further ranges",
            limit=MAX_EXPORT,
            from_position=from_position,
            to_position=to_position,
        )
    else:
        end = to_position
    name = f"jaga-{from_position}-{end}.ndjson"
    view = _view(caller, from_position, end)
    lines: Iterator[bytes] = _call(service.export_lines, from_position, end, view)
    if attachments:
        shown = None if view is None else view.shows_evidence
        lines = stream_with_files(lines, request.app.state.attachments.read, shown)
    return StreamingResponse(
        lines,
        media_type="application/x-ndjson",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post("/verify")
def verify(request: Request, _: Auditor) -> dict[str, Any]:
    result: dict[str, Any] = _service(request).verify()
    return result
