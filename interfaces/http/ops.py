"""Operations: liveness, readiness (store and projection lag) and Prometheus metrics."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from interfaces.http.deps import Caller, reader
from interfaces.http.errors import UNAVAILABLE, body
from interfaces.http.schemas import ERRORS

router = APIRouter(tags=["operations"])

# Views further behind than this are not ready to answer reads.
MAX_READY_LAG = 10_000


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    responses={503: {"description": "store unreachable or views too far behind"}},
)
def readyz(request: Request) -> Any:
    state = request.app.state
    leadership = state.leadership

    def read() -> tuple[int, Any, Any]:
        return (
            state.jaga.log.max_position(),
            state.projections.lag(),
            leadership.leader(),
        )

    try:
        try:
            position, lag, leader = read()
        except UNAVAILABLE:
            # Pooled connections a restart or failover killed are not the store:
            # they are replaced, and the store asked again.
            check = getattr(state.jaga.recorder, "check_pools", None)
            if check is None:
                raise
            check()
            position, lag, leader = read()
    except UNAVAILABLE:
        return JSONResponse(
            body("unavailable", "the store is unreachable"),
            status_code=503,
            headers={"Retry-After": "2"},
        )
    ready = lag["positions"] <= MAX_READY_LAG
    answer = {
        "status": "ready" if ready else "catching_up",
        "store": "reachable",
        "log_position": position,
        "projection_lag": lag,
        # Who runs the views and the checkpoint timer for every server process.
        "leader": leader,
        "process": {**leadership.me, "role": leadership.role},
    }
    return JSONResponse(
        answer,
        status_code=200 if ready else 503,
        headers=None if ready else {"Retry-After": "2"},
    )


@router.get(
    "/metrics",
    response_class=Response,
    responses={status: ERRORS[status] for status in (401, 403)},
)
def metrics(
    request: Request, _: Annotated[Caller, Depends(reader("metrics.read"))]
) -> Response:
    """Prometheus text; scrape it with an ops or admin key as a Bearer token."""
    return Response(
        request.app.state.metrics.render(),
        media_type="text/plain; version=0.0.4; charset=utf-8",
    )
