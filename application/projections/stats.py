"""Statistics per region and local day: check-ins, patrol visits, incidents."""

from __future__ import annotations

from typing import Any

from application.projections.common import Doc, Record, key_id

KINDS = ("stats",)
# The event types `apply` acts on (the only ones with a `stats:` subject).
TYPES = frozenset({"CheckedIn", "SiteVisited", "IncidentReported"})


def apply(doc: Doc | None, record: Record, key: str) -> Doc | None:
    province, regency, day = key_id(key).split("/")
    doc = doc or {
        "province": province,
        "regency": regency,
        "date": day,
        "check_ins": 0,
        "patrol_visits": 0,
        "visited_sites": [],
        "incidents_by_category": {},
    }
    t, d = record["type"], record["data"]
    if t == "CheckedIn":
        return {**doc, "check_ins": doc["check_ins"] + 1}
    if t == "SiteVisited":
        visited = sorted({*doc["visited_sites"], d["site_id"]})
        return {
            **doc,
            "patrol_visits": doc["patrol_visits"] + 1,
            "visited_sites": visited,
        }
    if t == "IncidentReported":
        counts = dict(doc["incidents_by_category"])
        counts[d["category"]] = counts.get(d["category"], 0) + 1
        return {**doc, "incidents_by_category": counts}
    return doc


def row(doc: Doc, sites_in_region: int) -> dict[str, Any]:
    """The day's figures; coverage is the share of the region's sites visited in the
    24 hours that end with that (local) day."""
    visited = len(doc["visited_sites"])
    coverage = visited / sites_in_region if sites_in_region else None
    return {
        **doc,
        "sites": sites_in_region,
        "coverage": None if coverage is None else round(min(coverage, 1.0), 4),
    }
