"""Alerts: the list and its live stream (server-sent events), webhook subscriptions
and their delivery log (acknowledging is a command, interfaces/http/commands.py)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from application import access
from domain.alert import RULES
from domain.errors import InvalidValue
from infrastructure.alerts.reads import read_alerts
from infrastructure.views.wiring import view_store
from interfaces.http.deps import Caller, reader
from interfaces.http.errors import ApiError
from interfaces.http.schemas import ERRORS, Limit, ServerId, Slug

router = APIRouter(prefix="/api/v1", responses=ERRORS, tags=["alerts"])

Reader = Annotated[Caller, Depends(reader("alerts.read"))]
Manager = Annotated[Caller, Depends(reader("alerts.manage"))]
STREAM_POLL_SECONDS = 0.5
KEEPALIVE_SECONDS = 5.0
# A stream ends after this and the browser's EventSource reconnects at once: a
# server that stops waits for open streams, so none may stay open for long.
LIFETIME_SECONDS = 10.0
Rule = Literal[RULES]  # type: ignore[valid-type]
State = Literal["active", "open", "acknowledged", "cleared", "all"]


def _alerts(r: Caller, **options: Any) -> dict[str, Any]:
    return read_alerts(view_store(r.request.app.state.jaga), scope=r.scope, **options)


@router.get("/alerts")
def list_alerts(
    r: Reader,
    state: State = "active",
    site_id: Annotated[Slug | None, Query()] = None,
    unit_id: Annotated[Slug | None, Query()] = None,
    as_of_position: Annotated[int | None, Query(ge=0, le=2**62)] = None,
    limit: Limit = 200,
) -> dict[str, Any]:
    """Alerts newest first: `active` (not cleared), `open` (not acknowledged yet),
    `acknowledged`, `cleared` or `all`; of one site, or of one unit and the sites it
    guards now; as they stood at a log position if given."""
    return _alerts(
        r,
        state=state,
        site_id=site_id,
        unit_id=unit_id,
        as_of_position=as_of_position,
        limit=limit,
    )


# Left out of the OpenAPI schema, which cannot describe an endless event stream; the
# README documents it.
@router.get("/alerts/stream", response_class=StreamingResponse, include_in_schema=False)
async def stream_alerts(r: Reader) -> StreamingResponse:
    """Server-sent events: `alerts` with every active alert in the key's regions,
    sent at once and again whenever they change."""

    async def events() -> AsyncIterator[str]:
        last: str | None = None
        quiet = lived = 0.0
        yield "retry: 500\n\n"
        while lived < LIFETIME_SECONDS and not await r.request.is_disconnected():
            found = await run_in_threadpool(_alerts, r, state="active")
            text = json.dumps(found["items"], ensure_ascii=False)
            if text != last:
                last, quiet = text, 0.0
                yield f"event: alerts\ndata: {text}\n\n"
            elif quiet >= KEEPALIVE_SECONDS:
                quiet = 0.0
                yield ": still here\n\n"
            await asyncio.sleep(STREAM_POLL_SECONDS)
            quiet += STREAM_POLL_SECONDS
            lived += STREAM_POLL_SECONDS

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


class Subscription(BaseModel):
    """Where alert events are posted: a URL, a region (none: everywhere) and the
    rules (none: all)."""

    model_config = ConfigDict(extra="forbid")

    url: Annotated[str, StringConstraints(min_length=8, max_length=2000)]
    province: Slug | None = None
    regency: Slug | None = None
    rules: Annotated[list[Rule], Field(max_length=len(RULES))] = []


def _webhooks(r: Caller) -> Any:
    return r.request.app.state.webhooks


@router.post("/alerts/subscriptions", status_code=201)
def subscribe(body: Subscription, r: Manager) -> dict[str, Any]:
    """A webhook subscription; its signing secret is in this answer only."""
    if not body.url.startswith(("http://", "https://")):
        raise InvalidValue("url", "must be an http or https URL")
    if body.regency is not None and body.province is None:
        raise InvalidValue("province", "is required")
    if not access.within(r.scope, body.province, body.regency):
        r.require_within((body.province, body.regency), "this region")
    return _webhooks(r).subscribe(  # type: ignore[no-any-return]
        body.url, body.province, body.regency, body.rules, r.key.key_id
    )


def _visible(r: Caller, sub: dict[str, Any]) -> bool:
    return access.within(r.scope, sub["province"], sub["regency"])


@router.get("/alerts/subscriptions")
def subscriptions(r: Manager) -> dict[str, Any]:
    """Every subscription in the key's regions, paused ones with their reason."""
    found = [s for s in _webhooks(r).subscriptions() if _visible(r, s)]
    return {"items": found}


def _subscription(r: Caller, subscription_id: str) -> dict[str, Any]:
    for sub in _webhooks(r).subscriptions():
        if sub["subscription_id"] == subscription_id and _visible(r, sub):
            return sub  # type: ignore[no-any-return]
    raise ApiError(
        404,
        "not_found",
        f"unknown subscription: {subscription_id}",
        id=subscription_id,
    )


@router.post("/alerts/subscriptions/{subscription_id}/resume")
def resume(subscription_id: ServerId, r: Manager) -> dict[str, Any]:
    """A paused subscriber is tried again, from its oldest waiting delivery."""
    _subscription(r, subscription_id)
    return _webhooks(r).resume(subscription_id)  # type: ignore[no-any-return]


@router.get("/alerts/deliveries")
def deliveries(
    r: Manager,
    subscription_id: Annotated[ServerId | None, Query()] = None,
    limit: Limit = 100,
) -> dict[str, Any]:
    """The delivery log, newest first: each attempt's count, last answer or error."""
    if subscription_id is not None:
        _subscription(r, subscription_id)
        return {"items": _webhooks(r).log(subscription_id, limit)}
    visible = {
        s["subscription_id"] for s in _webhooks(r).subscriptions() if _visible(r, s)
    }
    items = [
        d for d in _webhooks(r).log(None, limit) if d["subscription_id"] in visible
    ]
    return {"items": items}
