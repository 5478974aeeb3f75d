"""What every read shares: read-your-writes waits, scope checks and redaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Query, Request

from application.access import Scope
from interfaces.http.deps import Caller
from interfaces.http.errors import ApiError, forbidden

WAIT_SECONDS = 5.0
# Guard details a Bawaslu key does not see at covert sites.
GUARD_FIELDS = frozenset(
    {
        "roster",
        "commander_id",
        "incoming_roster",
        "incoming_commander_id",
        "outgoing_roster",
        "outgoing_commander_id",
        "personnel_id",
        "personnel_ids",
        "escort_ids",
        "unit_id",
        "incoming_unit_id",
        "outgoing_unit_id",
    }
)


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


def without_id_numbers(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_id_numbers(v) for k, v in value.items() if k != "id_number"}
    if isinstance(value, list):
        return [without_id_numbers(v) for v in value]
    return value


def hide_guards(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: hide_guards(v) for k, v in value.items() if k not in GUARD_FIELDS}
    if isinstance(value, list):
        return [hide_guards(v) for v in value]
    return value


def redact_site_row(row: dict[str, Any], covert: set[str]) -> dict[str, Any]:
    """A board row as Bawaslu sees it: headcount and requirement, never who."""
    if row.get("site_id") not in covert or not row.get("on_duty"):
        return row
    duty = row["on_duty"]
    return {
        **row,
        "on_duty": {
            "headcount": duty.get("headcount"),
            "required": duty.get("required"),
            "since": duty.get("since"),
        },
    }


def redact_item(item: dict[str, Any], covert: set[str]) -> dict[str, Any]:
    """A timeline item, incident or custody entry at a covert site, for Bawaslu."""
    if item.get("site_id") in covert:
        hidden: dict[str, Any] = hide_guards(item)
        return hidden
    return item


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
