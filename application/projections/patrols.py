"""Patrols: planned, active and ended, with the sites they visited."""

from __future__ import annotations

from typing import Any

from application.projections.common import Doc, Record

KINDS = ("patrol",)
# The event types `apply` acts on; the runner skips the others for this view.
TYPES = frozenset({"PatrolPlanned", "PatrolStarted", "SiteVisited", "PatrolEnded"})


def apply(doc: Doc | None, record: Record, key: str) -> Doc | None:
    t, d = record["type"], record["data"]
    if t == "PatrolPlanned":
        return {
            "patrol_id": record["aggregate_id"],
            "kind": d["kind"],
            "name": d.get("name"),
            "leader_id": d["leader_id"],
            "unit_ids": d["unit_ids"],
            "route": d["route"],
            "planned_start": d.get("planned_start"),
            "planned_at": record["occurred_at"],
            "status": "planned",
            "started_at": None,
            "ended_at": None,
            "summary": None,
            "visits": [],
            "regions": record.get("regions", []),
        }
    if doc is None:
        return None
    if t == "PatrolStarted":
        return {**doc, "status": "active", "started_at": record["occurred_at"]}
    if t == "PatrolEnded":
        return {
            **doc,
            "status": "ended",
            "ended_at": record["occurred_at"],
            "summary": d.get("summary"),
        }
    if t == "SiteVisited":
        return {**doc, "visits": [*doc["visits"], visit(record)]}
    return doc


def visit(record: Record) -> dict[str, Any]:
    d = record["data"]
    return {
        "site_id": d["site_id"],
        "arrived_at": d["arrived_at"],
        "departed_at": d.get("departed_at"),
        "condition": d["condition"],
        "people_met": d.get("people_met") or [],
        "notes": d.get("notes"),
        "position": record["position"],
        "event_id": record["event_id"],
    }


def row(doc: Doc) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "regions"}
