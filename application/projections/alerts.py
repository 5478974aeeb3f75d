"""The alerts: each episode of a rule on a subject, from raised to cleared, with the
log positions of its steps so an earlier moment can be read from the same document."""

from __future__ import annotations

from typing import Any

from application.projections.common import Doc, Record

KINDS = ("alert",)
TYPES = frozenset({"AlertRaised", "AlertAcknowledged", "AlertCleared"})


def apply(doc: Doc | None, record: Record, key: str) -> Doc | None:
    t, d = record["type"], record["data"]
    if t == "AlertRaised":
        return {
            "alert_id": record["aggregate_id"],
            "rule": d["rule"],
            "subject": d["subject"],
            "episode": d["episode"],
            "reasons": d["reasons"],
            "judged_at_position": d["position"],
            "site_id": d.get("site_id"),
            "unit_ids": d.get("unit_ids") or [],
            "regions": record.get("regions", []),
            "raised_at": record["occurred_at"],
            "raised_position": record["position"],
            "acknowledged": None,
            "cleared_at": None,
            "cleared_position": None,
        }
    if doc is None or key != f"alert:{record['aggregate_id']}":
        return doc
    if t == "AlertAcknowledged":
        return {
            **doc,
            "acknowledged": {
                "by": d.get("by") or "",
                "note": d.get("note") or "",
                "actor": (record.get("actor") or {}).get("name"),
                "at": record["occurred_at"],
                "position": record["position"],
            },
        }
    if t == "AlertCleared":
        return {
            **doc,
            "cleared_at": record["occurred_at"],
            "cleared_position": record["position"],
        }
    return doc


def at(doc: Doc, position: int | None) -> Doc | None:
    """The alert as it stood at a log position (None: now); None if not yet raised."""
    if position is None:
        position = max(
            doc["raised_position"],
            doc["cleared_position"] or 0,
            (doc["acknowledged"] or {}).get("position") or 0,
        )
    if doc["raised_position"] > position:
        return None
    ack = doc["acknowledged"]
    if ack is not None and ack["position"] > position:
        ack = None
    cleared = (
        doc["cleared_position"] is not None and doc["cleared_position"] <= position
    )
    return {
        **doc,
        "acknowledged": ack,
        "cleared_at": doc["cleared_at"] if cleared else None,
        "cleared_position": doc["cleared_position"] if cleared else None,
        "state": "cleared" if cleared else "acknowledged" if ack else "open",
    }


def row(doc: Doc, position: int | None = None) -> dict[str, Any] | None:
    return at(doc, position)
