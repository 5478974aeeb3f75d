"""Patrols: the active and past patrols with their visits (the writes are commands,
interfaces/http/commands.py)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query

from interfaces.http.deps import Caller, reader
from interfaces.http.reading import Fresh, one, page
from interfaces.http.schemas import ERRORS, Limit, Page, ServerId

router = APIRouter(prefix="/api/v1", responses=ERRORS, tags=["patrols"])

Reader = Annotated[Caller, Depends(reader("patrols.read"))]


@router.get("/patrols", response_model=Page)
def list_patrols(
    r: Reader,
    _: Fresh,
    status: Literal["planned", "active", "ended"] | None = None,
    limit: Limit = 100,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> dict[str, Any]:
    return page(
        r,
        r.request.app.state.read_model.patrols(
            status=status, scope=r.scope, limit=limit, cursor=cursor
        ),
    )


@router.get("/patrols/{patrol_id}")
def get_patrol(patrol_id: ServerId, r: Reader, _: Fresh) -> dict[str, Any]:
    rm = r.request.app.state.read_model
    return one(r, "patrol", patrol_id, lambda scope: rm.patrol(patrol_id, scope=scope))
