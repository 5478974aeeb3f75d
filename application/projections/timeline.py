"""Timeline items: an event as history shows it, with its corrections applied."""

from __future__ import annotations

from typing import Any

from application.projections.common import Record, with_corrections

# The subject kinds a timeline can be asked for.
FILTERS = {
    "site_id": "site",
    "unit_id": "unit",
    "personnel_id": "personnel",
    "patrol_id": "patrol",
    "incident_id": "incident",
}


def site_of(record: Record, owner: dict[str, Any]) -> str | None:
    """The site an item belongs to; a correction belongs to the site of what it
    corrects, so covert-site redaction covers the corrected values too."""
    site = record["data"].get("site_id") or owner.get("site_id")
    if site is None and record["type"] == "EntryCorrected":
        subjects = record.get("subjects") or []
        site = next(
            (s.split(":", 1)[1] for s in subjects if s.startswith("site:")), None
        )
    return site


def sites_of(record: Record) -> list[str]:
    """Every site the item is about (a patrol's route, what a correction
    corrects), so a covert one among them is seen by the redaction."""
    return [
        s.split(":", 1)[1] for s in record.get("subjects") or [] if s[:5] == "site:"
    ]


def item(record: Record, corrections: list[Record]) -> dict[str, Any]:
    """The timeline item of a record; `corrections` are the EntryCorrected records
    that name it, in log order."""
    fixed = with_corrections(record, corrections) if corrections else record
    owner = record.get("owner") or {}
    entry: dict[str, Any] = {
        "position": record["position"],
        "event_id": record["event_id"],
        "type": record["type"],
        "occurred_at": fixed["occurred_at"],
        "recorded_at": record["recorded_at"],
        "late": record["late"],
        "actor": record["actor"],
        "election": record["election"],
        "stage": record["stage"],
        "site_id": site_of(record, owner),
        "site_ids": sites_of(record),
        "aggregate_id": record["aggregate_id"],
        "data": fixed["data"],
        "corrected_by": [c["event_id"] for c in corrections],
    }
    if corrections:
        entry["original_data"] = record["data"]
        if fixed["occurred_at"] != record["occurred_at"]:
            entry["original_occurred_at"] = record["occurred_at"]
    return entry
