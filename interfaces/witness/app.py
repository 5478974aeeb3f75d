"""The witness over HTTP: c2sp.org/tlog-witness add-checkpoint, and what it cosigned
and refused, readable by anyone."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import FastAPI, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from infrastructure.audit.witness import MAX_REQUEST, Witness

Origin = Annotated[str, Query(min_length=1, max_length=300)]


async def _body(request: Request) -> bytes | None:
    """The request body, or None once it passes the protocol's size."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_REQUEST:
        return None
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > MAX_REQUEST:
            return None
    return bytes(data)


def create_witness_app(witness: Witness) -> FastAPI:
    """An ASGI app serving one witness."""
    api = FastAPI(
        title="Jaga witness",
        version="1",
        summary="Cosigns checkpoints of the logs it trusts, only when they extend "
        "the last one it cosigned (c2sp.org/tlog-witness).",
    )

    @api.post("/add-checkpoint", response_class=PlainTextResponse)
    async def add_checkpoint(request: Request) -> Response:
        data = await _body(request)
        if data is None:
            return PlainTextResponse(f"the body passes {MAX_REQUEST} bytes\n", 413)
        answer = await run_in_threadpool(witness.add_checkpoint, data)
        # Set as given: the spec names the 409 type exactly, with no charset.
        return Response(
            answer.text, answer.status, headers={"content-type": answer.content_type}
        )

    @api.get("/")
    def info() -> dict[str, Any]:
        return witness.info()

    @api.get("/checkpoint", response_class=PlainTextResponse)
    def checkpoint(origin: Origin) -> Response:
        note = witness.latest(origin)
        if note is None:
            return PlainTextResponse(f"nothing cosigned for {origin}\n", 404)
        return PlainTextResponse(note)

    @api.get("/refusals")
    def refusals(
        origin: Origin, limit: Annotated[int, Query(ge=1, le=1000)] = 100
    ) -> JSONResponse:
        return JSONResponse(
            {"origin": origin, "items": witness.refusals(origin, limit)}
        )

    @api.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return api
