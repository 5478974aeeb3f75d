"""The public checkpoint feed: the latest witnessed checkpoint, readable without a
key, so anyone can hold the operator to the history it signed."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from infrastructure.audit.witnessing import cosignature_json, cosigned_note
from interfaces.http.errors import ApiError

router = APIRouter(prefix="/api/v1/public", tags=["public"])


def _feed(service: Any, quorum: int | None) -> dict[str, Any]:
    witnessing = service.witnessing
    needed = quorum if quorum is not None else (1 if witnessing.endpoints else 0)
    cp = witnessing.witnessed(needed)
    if cp is None:
        raise ApiError(
            404,
            "not_witnessed",
            f"no checkpoint is cosigned by {needed} witnesses yet",
            quorum=needed,
        )
    signatures = witnessing.cosignatures.on(cp.note)
    return {
        **cp.to_json(),
        "vkey": service.verifier.vkey,
        "cosignatures": [cosignature_json(s) for s in signatures],
        "signed_note": cosigned_note(cp, signatures),
    }


@router.get(
    "/checkpoint",
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/plain": {}, "application/json": {}}}},
)
async def checkpoint(
    request: Request,
    quorum: Annotated[
        int | None,
        Query(
            ge=0,
            le=64,
            description="Cosignatures it must carry; default 1 when the log has "
            "witnesses, else 0 (the operator's signature alone).",
        ),
    ] = None,
    format: Annotated[Literal["note", "json"], Query()] = "note",
) -> Response:
    """The newest checkpoint with that many cosignatures: by default the C2SP note
    with the log's signature line and one line per witness; `format=json` gives
    the audit checkpoint's fields beside it."""
    answer = await run_in_threadpool(_feed, request.app.state.audit, quorum)
    headers = {"Cache-Control": "no-cache"}
    if format == "json":
        return JSONResponse(answer, headers=headers)
    return PlainTextResponse(answer["signed_note"], headers=headers)
