"""The incident board: each incident's state, the times of its steps, its notes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from application.projections.checked import incident_doc
from application.projections.common import INCIDENT_TYPES, Doc, Record, when

KINDS = ("incident",)
# The event types `apply` acts on: those of an incident itself.
TYPES = INCIDENT_TYPES
STATUS = {
    "reported": "open",
    "acknowledged": "open",
    "resolved": "resolved",
    "closed": "closed",
}
STEP_TIMES = {
    "IncidentAcknowledged": "acknowledged_at",
    "BackupRequested": "backup_requested_at",
    "BackupArrived": "backup_arrived_at",
    "IncidentResolved": "resolved_at",
    "IncidentClosed": "closed_at",
}
NEXT_STATE = {
    "IncidentAcknowledged": "acknowledged",
    "IncidentResolved": "resolved",
    "IncidentClosed": "closed",
    "IncidentReopened": "acknowledged",
}


def apply(doc: Doc | None, record: Record, key: str) -> Doc | None:
    t, d = record["type"], record["data"]
    if t == "IncidentReported":
        return {
            "incident_id": record["aggregate_id"],
            "site_id": d.get("site_id"),
            "location": d.get("location"),
            "category": d["category"],
            "severity": d["severity"],
            "state": "reported",
            "description": d["description"],
            "reporter": d.get("reporter"),
            "involved_unit_ids": d.get("involved_unit_ids") or [],
            "involved_personnel_ids": d.get("involved_personnel_ids") or [],
            "reported_at": record["occurred_at"],
            "acknowledged_at": None,
            "backup_requested_at": None,
            "backup_arrived_at": None,
            "resolved_at": None,
            "closed_at": None,
            "resolution": None,
            "notes": [],
            "history": [_step(record)],
            "regions": record.get("regions", []),
        }
    if doc is None or key != f"incident:{record['aggregate_id']}":
        return doc
    doc = {**doc, "history": [*doc["history"], _step(record)]}
    if t in STEP_TIMES:
        doc[STEP_TIMES[t]] = record["occurred_at"]
    if t in NEXT_STATE:
        doc["state"] = NEXT_STATE[t]
    if t == "IncidentEscalated":
        doc["severity"] = d["severity"]
    elif t == "IncidentNoteAdded":
        doc["notes"] = [
            *doc["notes"],
            {
                "text": d["text"],
                "at": record["occurred_at"],
                "by": record["actor"],
                "event_id": record["event_id"],
            },
        ]
    elif t == "IncidentResolved":
        doc["resolution"] = d["resolution"]
    elif t == "IncidentReopened":
        doc.update(resolved_at=None, closed_at=None, resolution=None)
    return doc


def _step(record: Record) -> dict[str, Any]:
    return {
        "type": record["type"],
        "at": record["occurred_at"],
        "position": record["position"],
        "event_id": record["event_id"],
        "actor": record["actor"],
        "data": record["data"],
    }


def _seconds(start: str | None, end: str | None) -> float | None:
    a, b = when(start), when(end)
    return None if a is None or b is None else (b - a).total_seconds()


def row(doc: Doc, now: datetime) -> dict[str, Any]:
    """The incident as the board shows it at `now`; a value it cannot use is
    named in `invalid_values` and shown as none."""
    doc, invalid = incident_doc(doc)
    status = STATUS[doc["state"]]
    reported = when(doc["reported_at"])
    finished = when(doc["resolved_at"]) if status != "open" else None
    age = None if reported is None else ((finished or now) - reported).total_seconds()
    shown = {k: v for k, v in doc.items() if k not in ("state", "regions")}
    return {
        **shown,
        "status": status,
        "state": doc["state"],
        "invalid_values": invalid,
        "age_seconds": age,
        "response_seconds": {
            "acknowledge": _seconds(doc["reported_at"], doc["acknowledged_at"]),
            "backup": _seconds(doc["reported_at"], doc["backup_arrived_at"]),
            "resolve": _seconds(doc["reported_at"], doc["resolved_at"]),
        },
    }
