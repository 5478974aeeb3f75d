"""API keys over HTTP, for administrators: issue, list and revoke."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import Field

from application.access import narrower, parse_scope
from interfaces.http.deps import Caller, reader
from interfaces.http.errors import forbidden
from interfaces.http.schemas import ERRORS, Body, Name, Role

router = APIRouter(prefix="/api/v1/keys", responses=ERRORS, tags=["keys"])

Admin = Annotated[Caller, Depends(reader("keys.manage"))]
ScopeText = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9][a-z0-9._-]{0,63}"
        r"(/[a-z0-9][a-z0-9._-]{0,63})?$"
    ),
]


class NewKey(Body):
    role: Role
    name: Name
    scope: Annotated[list[ScopeText], Field(max_length=100)] | None = None


@router.post("", status_code=201)
def create_key(body: NewKey, a: Admin) -> dict[str, Any]:
    """The secret is in this answer only; it is stored hashed."""
    wanted = parse_scope(body.scope) if body.scope else None
    if not narrower(wanted, a.scope):
        raise forbidden("a key may not reach beyond the regions of the key issuing it")
    key, secret = a.request.app.state.keys.create(body.role, body.name, body.scope)
    return {**key.as_dict(), "secret": secret}


@router.get("")
def list_keys(a: Admin) -> dict[str, Any]:
    keys = a.request.app.state.keys.list()
    return {
        "items": [k.as_dict() for k in keys if narrower(k.scope, a.scope)],
        "next": None,
    }


@router.post("/{key_id}/revoke", status_code=201)
def revoke_key(
    key_id: Annotated[str, Field(max_length=64)], a: Admin
) -> dict[str, Any]:
    store = a.request.app.state.keys
    if not narrower(store.get(key_id).scope, a.scope):
        raise forbidden("this key reaches beyond this key's regions")
    result: dict[str, Any] = store.revoke(key_id).as_dict()
    return result
