"""What every read shares: read-your-writes waits, scope checks and redaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Query, Request

from application.access import Scope
from application.redaction import COVERT_GUARD_FIELDS, ID_NUMBER_FIELDS, hide_guards
from interfaces.http.deps import Caller
from interfaces.http.errors import ApiError, forbidden

WAIT_SECONDS = 5.0


def wait_for_position(
    request: Request,
    wait_for_position: Annotated[
        int | None,
        Query(
            ge=0,
            le=2**62,
            description="Wait (at most 5 s) until the views reflect this log position",
        ),
    ] = None,
) -> None:
    if wait_for_position is None:
        return
    state = request.app.state
    # A position past the log's end was never answered to a write: no use waiting.
    if wait_for_position <= state.jaga.log.max_position():
        state.read_model.wait_for_position(wait_for_position, timeout=WAIT_SECONDS)


Fresh = Annotated[None, Depends(wait_for_position)]


def _without(value: Any, hidden: frozenset[str]) -> Any:
    if isinstance(value, dict):
        return {k: _without(v, hidden) for k, v in value.items() if k not in hidden}
    if isinstance(value, list):
        return [_without(v, hidden) for v in value]
    return value


def without_id_numbers(value: Any) -> Any:
    return _without(value, ID_NUMBER_FIELDS)


def at_covert_site(item: dict[str, Any], covert: set[str]) -> bool:
    """Whether an item is about a covert site: its own site, any site its event
    names (what a correction corrects) or a patrol's route."""
    sites = {item.get("site_id"), *(item.get("site_ids") or [])}
    sites.update(item.get("route") or [])
    data = item.get("data")
    if isinstance(data, dict):
        sites.update(data.get("route") or [])
    return bool(sites & covert)


def redact_site_row(row: dict[str, Any], covert: set[str]) -> dict[str, Any]:
    """A board row as Bawaslu sees it: headcount and requirement, never who."""
    if row.get("site_id") not in covert:
        return row
    duty, visit = row.get("on_duty"), row.get("last_patrol_visit")
    shown = dict(row)
    if duty:
        shown["on_duty"] = {
            "headcount": duty.get("headcount"),
            "required": duty.get("required"),
            "since": duty.get("since"),
        }
    if visit:
        shown["last_patrol_visit"] = hide_guards(visit)
    shown["anomalies"] = [hide_guards(a) for a in row.get("anomalies") or []]
    return shown


def redact_item(item: dict[str, Any], covert: set[str]) -> dict[str, Any]:
    """A timeline item, incident, patrol or custody entry about a covert site, for
    Bawaslu."""
    if at_covert_site(item, covert):
        hidden: dict[str, Any] = hide_guards(item)
        return hidden
    return item


def redact_register(value: dict[str, Any], covert: set[str]) -> dict[str, Any]:
    """The register as Bawaslu sees it: a unit or person's incidents at covert
    sites are left out (the entry itself would say who was involved there), and
    so is a person listed for nothing else (every unit is listed anyway)."""

    def shown(entry: dict[str, Any], listed: bool) -> dict[str, Any] | None:
        incidents = entry.get("incidents") or []
        kept = [i for i in incidents if i.get("site_id") not in covert]
        if len(kept) == len(incidents):
            return entry
        if not (listed or kept or entry.get("pledges") or entry.get("concerns")):
            return None
        return {**entry, "incidents": kept}

    rows = {
        key: [e for e in (shown(x, key == "units") for x in value[key]) if e]
        for key in ("units", "personnel")
        if isinstance(value.get(key), list)
    }
    return {**value, **rows}


def covert_unless_seen(r: Caller, **filters: str | None) -> set[str]:
    """The covert sites whose entries a filter on these fields may not match for
    this caller: a match on who guards a covert site would itself say who."""
    if r.role != "bawaslu" or not any(
        value is not None and field in COVERT_GUARD_FIELDS
        for field, value in filters.items()
    ):
        return set()
    covert: set[str] = r.request.app.state.read_model.covert_site_ids()
    return covert


def for_caller(r: Caller, value: Any, shape: Callable[[Any, set[str]], Any]) -> Any:
    """Applies Bawaslu's redaction; every other role sees the value as it is."""
    if r.role != "bawaslu":
        return value
    covert = r.request.app.state.read_model.covert_site_ids()
    return without_id_numbers(shape(value, covert))


def page(
    r: Caller,
    result: dict[str, Any],
    shape: Callable[[dict[str, Any], set[str]], dict[str, Any]] = redact_item,
) -> dict[str, Any]:
    items = result.get("items", [])
    if r.role == "bawaslu":
        covert = r.request.app.state.read_model.covert_site_ids()
        items = [without_id_numbers(shape(i, covert)) for i in items]
    return {**result, "items": items}


def one(
    r: Caller,
    kind: str,
    ident: str,
    fetch: Callable[[Scope], dict[str, Any] | None],
    shape: Callable[[dict[str, Any], set[str]], dict[str, Any]] = redact_item,
) -> dict[str, Any]:
    """One item: 404 when unknown, 403 when it lies outside the key's regions."""
    found = fetch(r.scope)
    if found is None:
        if r.scope is not None and fetch(None) is not None:
            raise forbidden(f"this {kind} is outside this key's regions")
        raise ApiError(404, "not_found", f"unknown {kind}: {ident}", id=ident)
    result: dict[str, Any] = for_caller(r, found, shape)
    return result
