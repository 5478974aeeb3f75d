"""Reading the alerts view: the alerts inside a key's regions, now or at a position."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from application import access
from application.projections import alerts
from infrastructure.views.store import ViewStore
from infrastructure.views.tables import docs_table, loads, micros

STATES = ("active", "open", "acknowledged", "cleared", "all")


def read_alerts(
    store: ViewStore,
    *,
    scope: access.Scope = None,
    state: str = "active",
    as_of_position: int | None = None,
    site_id: str | None = None,
    unit_id: str | None = None,
    limit: int = 200,
) -> dict[str, Any]:
    """Alerts newest first: `active` is every one not cleared (acknowledged or not),
    `open` those nobody acknowledged yet; `unit_id`: those of the unit, or of the
    sites it guards now."""
    guarded: set[str] = set()
    with store.transaction(commit=False) as c:
        gens = store.generations(c)
        position = store.tracked(c)
        c.execute(f"SELECT doc FROM {docs_table('alerts', gens['alerts'])}")
        docs = [loads(r["doc"]) for r in c.fetchall()]
        if unit_id is not None:
            c.execute(
                f"SELECT doc FROM {docs_table('board', gens['board'])}"
                f" WHERE doc LIKE {store.ph}",
                [f'%"unit_id":"{unit_id}"%'],
            )
            for row in c.fetchall():
                duty = loads(row["doc"])["on_duty"]
                if duty is not None and duty["unit_id"] == unit_id:
                    guarded.add(loads(row["doc"])["site_id"])
    moment = position if as_of_position is None else min(as_of_position, position)
    found = []
    for doc in docs:
        shown = alerts.at(doc, moment)
        if shown is None or not access.within_any(
            scope, [tuple(r) for r in shown["regions"]]
        ):
            continue
        if site_id is not None and shown["site_id"] != site_id:
            continue
        if unit_id is not None and not (
            shown["site_id"] in guarded or unit_id in shown["unit_ids"]
        ):
            continue
        if state == "all" or shown["state"] == state:
            found.append(shown)
        elif state == "active" and shown["state"] != "cleared":
            found.append(shown)
    found.sort(key=lambda d: d["raised_position"], reverse=True)
    return {"items": found[:limit], "as_of_position": moment}


def position_at(store: ViewStore, moment: datetime, clock: str) -> int:
    """The last log position at a moment: by the server's clock (`recorded`, what
    the board showed then) or by the field's (`field`, for a log entered after the
    fact, such as the demo)."""
    column = "recorded_us" if clock == "recorded" else "occurred_us"
    with store.transaction(commit=False) as c:
        gens = store.generations(c)
        c.execute(
            f"SELECT COALESCE(MAX(position), 0) AS p FROM"
            f" {docs_table('timeline', gens['timeline'])} WHERE {column} <= {store.ph}",
            [micros(moment.isoformat())],
        )
        return int(c.fetchone()["p"])
