"""Field mistakes the log accepts but flags: facts folded per site from the events,
judged against the limits in force when asked.

Nothing here changes an entry: a check-out with no check-in, a patrol visit off its
route, a GPS position far from the site, a second report of what looks like the same
incident, a device clock far from the server's, are what the field reported, shown
where people look (the board's reasons, the site's timeline, the anomalies list).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from application.projections.common import Doc, Record, when

CODES = (
    "check_out_without_check_in",
    "visit_off_route",
    "gps_far_from_site",
    "probable_duplicate_incident",
    "device_clock_off",
)
# The event types that can show an anomaly (the board folds them).
TYPES = frozenset({"CheckedIn", "CheckedOut", "SiteVisited", "IncidentReported"})
# Facts below these are never kept, whatever the limits: no setting may go lower.
GPS_FLOOR_METRES = 50
CLOCK_FLOOR_MINUTES = 1
DUPLICATE_CEILING_MINUTES = 24 * 60
KEPT_REPORTS = 20  # earlier reports a new one is compared with
RECENT = timedelta(hours=24)  # the board's reasons count anomalies this recent


@dataclass(frozen=True)
class Limits:
    """Where a fact becomes an anomaly (settings JAGA_ANOMALY_*)."""

    gps_metres: int = 500
    duplicate_minutes: int = 30
    clock_minutes: int = 10


DEFAULT_LIMITS = Limits()


def metres_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance (haversine, mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(min(1.0, a)))


def _fact(code: str, record: Record, **details: Any) -> Doc:
    return {
        "code": code,
        "at": record["occurred_at"],
        "recorded_at": record["recorded_at"],
        "event_id": record["event_id"],
        "position": record["position"],
        "type": record["type"],
        **details,
    }


def observe(doc: Doc, record: Record) -> Doc:
    """The site's document after one record: what it watches (who is checked in,
    the latest incident reports) and the facts of any anomaly the record shows."""
    t, d = record["type"], record["data"]
    watch = dict(doc.get("watch") or {"checked_in": {}, "reports": []})
    found = list(doc.get("anomalies") or [])
    if t == "CheckedIn":
        watch["checked_in"] = {**watch["checked_in"], d["personnel_id"]: True}
        found += _position_facts(doc, record) + _clock_facts(record)
    elif t == "CheckedOut":
        checked_in = dict(watch["checked_in"])
        if checked_in.pop(d["personnel_id"], None) is None:
            found.append(
                _fact(
                    "check_out_without_check_in",
                    record,
                    personnel_id=d["personnel_id"],
                )
            )
        watch["checked_in"] = checked_in
    elif t == "SiteVisited":
        owner = record.get("owner") or {}
        route = owner.get("site_ids") or []
        if route and d["site_id"] not in route:
            found.append(
                _fact(
                    "visit_off_route",
                    record,
                    patrol_id=record["aggregate_id"],
                    leader_id=owner.get("leader_id"),
                )
            )
    elif t == "IncidentReported":
        found += _duplicate_facts(watch["reports"], record)
        report = {
            "incident_id": record["aggregate_id"],
            "category": d["category"],
            "at": record["occurred_at"],
        }
        watch["reports"] = [*watch["reports"], report][-KEPT_REPORTS:]
    return {**doc, "watch": watch, "anomalies": found}


def _position_facts(doc: Doc, record: Record) -> list[Doc]:
    d = record["data"]
    if None in (d.get("lat"), d.get("lon"), doc.get("lat"), doc.get("lon")):
        return []
    metres = metres_between(d["lat"], d["lon"], doc["lat"], doc["lon"])
    if metres < GPS_FLOOR_METRES:
        return []
    return [
        _fact(
            "gps_far_from_site",
            record,
            personnel_id=d["personnel_id"],
            metres=round(metres),
        )
    ]


def _clock_facts(record: Record) -> list[Doc]:
    """The device's clock when it sent the entry against the server's then."""
    synced, recorded = (
        when(record["data"].get("device_synced_at")),
        when(record["recorded_at"]),
    )
    if synced is None or recorded is None:
        return []
    minutes = (synced - recorded).total_seconds() / 60
    if abs(minutes) < CLOCK_FLOOR_MINUTES:
        return []
    return [
        _fact(
            "device_clock_off",
            record,
            personnel_id=record["data"]["personnel_id"],
            minutes=round(minutes),
        )
    ]


def _duplicate_facts(reports: list[Doc], record: Record) -> list[Doc]:
    """The nearest earlier report of the same category at the site, unless this
    one names it (its id in the description)."""
    d, at = record["data"], when(record["occurred_at"])
    assert at is not None
    description = d.get("description") or ""
    nearest: tuple[float, str] | None = None
    for report in reports:
        other = when(report["at"])
        if report["category"] != d["category"] or other is None:
            continue
        if report["incident_id"] in description:
            return []
        minutes = abs((at - other).total_seconds()) / 60
        if minutes <= DUPLICATE_CEILING_MINUTES and (
            nearest is None or minutes < nearest[0]
        ):
            nearest = (minutes, report["incident_id"])
    if nearest is None:
        return []
    return [
        _fact(
            "probable_duplicate_incident",
            record,
            incident_id=record["aggregate_id"],
            other_incident_id=nearest[1],
            category=d["category"],
            minutes=round(nearest[0]),
        )
    ]


def judged(fact: Doc, limits: Limits) -> bool:
    """Whether a kept fact is an anomaly under these limits."""
    code = fact["code"]
    if code == "gps_far_from_site":
        return bool(fact["metres"] > limits.gps_metres)
    if code == "device_clock_off":
        return bool(abs(fact["minutes"]) > limits.clock_minutes)
    if code == "probable_duplicate_incident":
        return bool(fact["minutes"] <= limits.duplicate_minutes)
    return True


def of_site(doc: Doc, limits: Limits, now: datetime | None = None) -> list[Doc]:
    """The site's anomalies under the limits, newest first; with `now`, those
    recorded in the day before it."""
    found = [f for f in doc.get("anomalies") or [] if judged(f, limits)]
    if now is not None:
        found = [f for f in found if _recent(f, now)]
    return sorted(found, key=lambda f: f["position"], reverse=True)


def _recent(fact: Doc, now: datetime) -> bool:
    recorded = when(fact["recorded_at"])
    return recorded is not None and now - RECENT <= recorded <= now
