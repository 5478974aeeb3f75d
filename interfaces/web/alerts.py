"""The dashboard's alert bar: active alerts as HTML in the session's language, live
by server-sent events, or as they stood at a log position (the replay)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response, StreamingResponse

from application import access
from infrastructure.alerts.reads import read_alerts
from infrastructure.views.wiring import view_store
from interfaces.http.deps import Caller
from interfaces.web import auth
from interfaces.web.alert_words import reason_text
from interfaces.web.render import HEADERS, TEMPLATES

router = APIRouter(include_in_schema=False)
SHOWN = 30  # alerts listed in the bar; the rest are counted
POLL_SECONDS = 0.5
KEEPALIVE_SECONDS = 5.0
# A stream ends after this and the browser's EventSource reconnects at once: a
# server that stops waits for open streams, so none may stay open for long.
LIFETIME_SECONDS = 10.0


def _names(caller: Caller) -> dict[str, dict[str, Any]]:
    rows = caller.request.app.state.read_model.sites(scope=caller.scope, limit=1000)
    return {r["site_id"]: r for r in rows["items"]}


def bar_html(caller: Caller, position: int | None = None) -> dict[str, Any]:
    """The bar's list and counts, now or as of a log position."""
    found = read_alerts(
        view_store(caller.request.app.state.jaga),
        scope=caller.scope,
        state="active",
        as_of_position=position,
    )
    items = found["items"]
    sites = _names(caller) if items else {}
    html = TEMPLATES.get_template("_alert_items.html").render(
        alerts=items[:SHOWN],
        more=max(0, len(items) - SHOWN),
        sites=sites,
        reason_text=reason_text,
        may_acknowledge=access.may(caller.role, "alert.acknowledge")
        and position is None,
    )
    return {
        "html": html,
        "count": len(items),
        "open": sum(1 for a in items if a["state"] == "open"),
        "position": found["as_of_position"],
    }


def _caller(request: Request) -> Caller | Response:
    caller = auth.signed_in(request)
    if caller is None:
        return JSONResponse({"error": {"code": "unauthorized"}}, 401, HEADERS)
    if not access.may(caller.role, "alerts.read"):
        return JSONResponse({"error": {"code": "forbidden"}}, 403, HEADERS)
    return caller


@router.get("/live/alerts")
async def live_alerts(request: Request) -> Response:
    """Server-sent events: `alerts` with the bar's HTML whenever it changes."""
    caller = _caller(request)
    if isinstance(caller, Response):
        return caller

    async def events() -> AsyncIterator[str]:
        last = None
        quiet = lived = 0.0
        yield "retry: 500\n\n"
        while lived < LIFETIME_SECONDS and not await request.is_disconnected():
            shown = await run_in_threadpool(bar_html, caller)
            text = json.dumps(shown, ensure_ascii=False)
            if shown["html"] != last:
                last, quiet = shown["html"], 0.0
                yield f"event: alerts\ndata: {text}\n\n"
            elif quiet >= KEEPALIVE_SECONDS:
                quiet = 0.0
                yield ": still here\n\n"
            await asyncio.sleep(POLL_SECONDS)
            quiet += POLL_SECONDS
            lived += POLL_SECONDS

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={**HEADERS, "X-Accel-Buffering": "no"},
    )


@router.get("/past/alerts")
def past_alerts(request: Request, position: int = 0) -> Response:
    """The bar as it stood at a log position (the replay's)."""
    caller = _caller(request)
    if isinstance(caller, Response):
        return caller
    return JSONResponse(bar_html(caller, max(0, position)), headers=HEADERS)
