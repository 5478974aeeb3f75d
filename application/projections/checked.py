"""A site's board facts checked against what the board expects before it judges
them: a value the log holds that the field's rules would refuse today (written
before the rules, or by a correction before they applied) is put aside and named,
so one bad value is shown as such and the rest of the answer stands."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from application.projections.common import Doc
from domain.site import ALERT_LEVELS, KINDS, POSTURES

ZONES = ("WIB", "WITA", "WIT")
TEXTS = (
    "name",
    "kind",
    "province",
    "regency",
    "province_name",
    "regency_name",
    "address",
    "timezone",
)
COUNTS = ("required_guards", "checkin_interval_minutes", "patrol_interval_minutes")
MAX_COUNT = 1_000_000


def time_ok(value: Any) -> bool:
    """An aware ISO 8601 time in years 2..9998, so any zone can show it."""
    if not isinstance(value, str):
        return False
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return False
    return moment.tzinfo is not None and 1 < moment.year < 9999


def count_ok(value: Any) -> bool:
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and 0 <= value <= MAX_COUNT
    )


def coordinate_ok(value: Any, limit: float) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
        and -limit <= value <= limit
    )


def board_doc(doc: Doc) -> tuple[Doc, list[str]]:
    """The doc with every unexpected value put aside (None, or the entry left
    out), and the names of the fields that held one."""
    doc, bad = dict(doc), []

    def drop(field: str, value: Any = None) -> None:
        bad.append(field)
        doc[field] = value

    for field in TEXTS:
        if doc.get(field) is not None and not isinstance(doc[field], str):
            drop(field)
    if doc.get("kind") not in KINDS:
        drop("kind")
    if doc.get("timezone") not in ZONES:
        drop("timezone")
    if doc.get("alert_level") not in ALERT_LEVELS:
        drop("alert_level", "normal")
    if doc.get("posture") not in POSTURES:
        drop("posture", "covert")  # shown to no one it should not be
    for field in COUNTS:
        if doc.get(field) is not None and not count_ok(doc[field]):
            drop(field)
    for field, limit in (("lat", 90.0), ("lon", 180.0)):
        if doc.get(field) is not None and not coordinate_ok(doc[field], limit):
            drop(field)
    for field in ("registered_at", "last_check_in_at"):
        if doc.get(field) is not None and not time_ok(doc[field]):
            drop(field)
    duty = doc.get("on_duty")
    if duty is not None and not (
        count_ok(duty.get("headcount")) and time_ok(duty.get("since"))
    ):
        drop("on_duty")
    visit = doc.get("last_patrol_visit")
    if visit is not None and not time_ok(visit.get("at")):
        drop("last_patrol_visit")
    incidents = {
        k: i
        for k, i in (doc.get("incidents") or {}).items()
        if i.get("severity") in (1, 2, 3, 4)
    }
    if len(incidents) != len(doc.get("incidents") or {}):
        bad.append("severity")
        doc["incidents"] = incidents
    orders = {
        k: o
        for k, o in (doc.get("assignments") or {}).items()
        if count_ok(o.get("headcount"))
        and time_ok(o.get("starts_at"))
        and time_ok(o.get("ends_at"))
        and (o.get("revoked_at") is None or time_ok(o["revoked_at"]))
        and (
            o.get("checkin_interval_minutes") is None
            or count_ok(o["checkin_interval_minutes"])
        )
    }
    if len(orders) != len(doc.get("assignments") or {}):
        bad.append("assignments")
        doc["assignments"] = orders
    return doc, list(dict.fromkeys(bad))


INCIDENT_TIMES = (
    "reported_at",
    "acknowledged_at",
    "backup_requested_at",
    "backup_arrived_at",
    "resolved_at",
    "closed_at",
)


def incident_doc(doc: Doc) -> tuple[Doc, list[str]]:
    """The incident with an unexpected severity or time put aside (None), and the
    names of the fields that held one."""
    doc, bad = dict(doc), []
    if doc.get("severity") not in (1, 2, 3, 4):
        bad.append("severity")
        doc["severity"] = None
    for field in INCIDENT_TIMES:
        if doc.get(field) is not None and not time_ok(doc[field]):
            bad.append(field)
            doc[field] = None
    for field in ("category", "description"):
        if not isinstance(doc.get(field), str):
            bad.append(field)
            doc[field] = None
    return doc, bad
