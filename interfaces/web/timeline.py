"""A site's timeline on its page: newest first, a range of days in the site's zone,
and paging to older and newer entries."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from application.redaction import hide_guards
from domain.regions import ZONES
from infrastructure.views.paging import encode_cursor
from interfaces.http.deps import Caller
from interfaces.http.reading import page
from interfaces.web import params as checks

PAGE_LIMIT = 100
FIRST_DAY, LAST_DAY = date(1, 1, 2), date(9999, 12, 30)


def _day(params: Any, name: str) -> date | None:
    value = (params.get(name) or "").strip()
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise checks.invalid(name, "must be a date") from None
    # A day either side is still a date Python can hold, in every zone.
    if not FIRST_DAY <= day <= LAST_DAY:
        raise checks.invalid(name, "is out of range (years 0001 to 9999)")
    return day


def _position(params: Any, name: str) -> int | None:
    value = (params.get(name) or "").strip()
    if not value:
        return None
    if not value.isdigit() or len(value) > 15:
        raise checks.invalid(name, "must be a whole number from 0")
    return int(value)


def site_timeline(
    caller: Caller,
    site_id: str,
    params: Any,
    past: dict[str, Any],
    zone: str | None,
    hidden: bool,
) -> dict[str, Any]:
    """The page of entries the query asks for, newest first, with where the
    pages before and after it start."""
    first, last = _day(params, "from"), _day(params, "to")
    here = ZONES.get(zone or "WIB", ZONES["WIB"])
    start = datetime.combine(first, time(), here) if first else None
    end = datetime.combine(last + timedelta(days=1), time(), here) if last else None
    if start and end and end <= start:
        raise checks.invalid("to", "must be after from")
    older, newer = _position(params, "older"), _position(params, "newer")
    rm = caller.request.app.state.read_model
    asked = {"site_id": site_id, "scope": caller.scope, "start": start, "end": end}
    if newer is not None:
        found = rm.timeline(
            **asked, **past, limit=PAGE_LIMIT, cursor=encode_cursor(newer)
        )
        items = list(reversed(found["items"]))
        more_newer, more_older = found["next"] is not None, bool(items)
    else:
        found = rm.timeline(
            **asked,
            **past,
            limit=PAGE_LIMIT,
            cursor=encode_cursor(older) if older is not None else None,
            newest_first=True,
        )
        items = found["items"]
        more_older, more_newer = found["next"] is not None, older is not None
    shown = page(caller, {**found, "items": items})
    if hidden:
        # Corrections carry no site of their own, so the item-level redaction
        # would miss them; every item here is this covert site's.
        shown = {**shown, "items": hide_guards(shown["items"])}
    keep = {
        k: params.get(k)
        for k in ("as_of", "zone", "as_of_position", "from", "to")
        if params.get(k)
    }
    positions = [i["position"] for i in shown["items"]]
    return {
        **shown,
        "from": first.isoformat() if first else "",
        "to": last.isoformat() if last else "",
        "older_query": checks.query({**keep, "older": min(positions)})
        if more_older and positions
        else None,
        "newer_query": checks.query({**keep, "newer": max(positions)})
        if more_newer and positions
        else None,
        "keep": {k: v for k, v in keep.items() if k not in ("from", "to")},
    }
