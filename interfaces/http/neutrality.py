"""The neutrality register of TNI/Polri: pledges, concerns with their deadlines,
Bawaslu's reviews (the writes are commands, interfaces/http/commands.py)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from interfaces.http.deps import Caller, reader
from interfaces.http.reading import Fresh, for_caller, redact_register
from interfaces.http.schemas import ERRORS, Slug

router = APIRouter(prefix="/api/v1/neutrality", responses=ERRORS, tags=["neutrality"])

Reader = Annotated[Caller, Depends(reader("register.read"))]


@router.get("/register")
def neutrality_register(
    r: Reader,
    _: Fresh,
    unit_id: Annotated[Slug | None, Query()] = None,
    personnel_id: Annotated[Slug | None, Query()] = None,
) -> dict[str, Any]:
    found = r.request.app.state.read_model.register(
        unit_id=unit_id, personnel_id=personnel_id, scope=r.scope
    )
    result: dict[str, Any] = for_caller(r, found, redact_register)
    return result
