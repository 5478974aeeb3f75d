"""Gaps at a site: when it was manned below its assignment or requirement, and
check-in intervals longer than ordered. Facts are folded; periods are cut on request.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from application.projections.common import Doc, Record, iso, key_id, when

KINDS = ("site",)
# The event types `apply` acts on; the runner skips the others for this view.
TYPES = frozenset(
    {
        "SiteRegistered",
        "GuardRequirementSet",
        "ShiftStarted",
        "ShiftHandedOver",
        "ShiftEnded",
        "SiteDecommissioned",
        "AssignmentIssued",
        "AssignmentRevoked",
    }
)
# Check-ins this long before the window are read too, to see intervals crossing it.
LOOK_BACK = timedelta(days=2)


def apply(doc: Doc | None, record: Record, key: str) -> Doc | None:
    t, d, at = record["type"], record["data"], record["occurred_at"]
    if t == "SiteRegistered":
        return {
            "site_id": key_id(key),
            "registered_at": at,
            "required": [[at, d.get("required_guards") or 0]],
            "orders": {},
            "duty": [],
            "regions": record.get("regions", []),
        }
    if doc is None:
        return None
    if t == "GuardRequirementSet":
        return {**doc, "required": [*doc["required"], [at, d["required_guards"]]]}
    if t == "ShiftStarted":
        return {**doc, "duty": [*doc["duty"], [at, len(d["roster"]), d["shift_id"]]]}
    if t == "ShiftHandedOver":
        step = [at, len(d["incoming_roster"]), d["incoming_shift_id"]]
        return {**doc, "duty": [*doc["duty"], step]}
    if t == "ShiftEnded":
        return {**doc, "duty": [*doc["duty"], [at, 0, None]]}
    if t in ("SiteDecommissioned",):
        return {
            **doc,
            "decommissioned_at": at,
            "duty": [*doc["duty"], [at, 0, None]],
            "required": [*doc["required"], [at, 0]],
        }
    aid = record["aggregate_id"]
    if t == "AssignmentIssued" and d.get("site_id") == key_id(key):
        order = {
            "starts_at": d["starts_at"],
            "ends_at": d["ends_at"],
            "headcount": d.get("headcount") or len(d.get("personnel_ids") or []),
            "checkin_interval_minutes": d.get("checkin_interval_minutes"),
            "revoked_at": None,
        }
        return {**doc, "orders": {**doc["orders"], aid: order}}
    if t == "AssignmentRevoked" and aid in doc["orders"]:
        order = {**doc["orders"][aid], "revoked_at": at}
        return {**doc, "orders": {**doc["orders"], aid: order}}
    return doc


def _order_span(order: Doc) -> tuple[datetime, datetime]:
    starts, ends, revoked = (
        when(order["starts_at"]),
        when(order["ends_at"]),
        when(order["revoked_at"]),
    )
    assert starts is not None and ends is not None
    return starts, min(ends, revoked) if revoked else ends


def _value_at(steps: list[list[Any]], moment: datetime) -> int:
    value = 0
    for step in sorted(steps, key=lambda s: when(s[0]) or moment):
        at = when(step[0])
        assert at is not None
        if at > moment:
            break
        value = step[1]
    return int(value)


def _ordered(doc: Doc, moment: datetime) -> tuple[int, int | None]:
    """Headcount and check-in interval ordered by assignments in force at `moment`."""
    headcount, interval = 0, None
    for order in doc["orders"].values():
        starts, ends = _order_span(order)
        if starts <= moment < ends:
            headcount += order["headcount"]
            m = order["checkin_interval_minutes"]
            interval = m if interval is None or (m and m < interval) else interval
    return headcount, interval


def understaffed(doc: Doc, start: datetime, end: datetime) -> list[dict[str, Any]]:
    registered = when(doc["registered_at"])
    assert registered is not None
    start = max(start, registered)
    # A decommissioned site is guarded by nobody and owed nothing, orders or not.
    closed = when(doc.get("decommissioned_at"))
    end = min(end, closed) if closed else end
    if end <= start:
        return []
    cuts = {start, end}
    for steps in (doc["required"], doc["duty"]):
        cuts |= {t for s in steps if (t := when(s[0])) and start < t < end}
    for order in doc["orders"].values():
        cuts |= {t for t in _order_span(order) if start < t < end}
    points = sorted(cuts)
    periods: list[dict[str, Any]] = []
    for a, b in zip(points, points[1:], strict=False):
        have = _value_at(doc["duty"], a)
        ordered, _ = _ordered(doc, a)
        required = _value_at(doc["required"], a)
        # What the board requires at that moment: the larger of the two.
        need = max(ordered, required)
        if have >= need:
            continue
        source = "assignment" if ordered >= required else "requirement"
        last = periods[-1] if periods else None
        if (
            last
            and last["to"] == iso(a)
            and last["headcount"] == have
            and last["required"] == need
            and last["source"] == source
        ):
            last["to"] = iso(b)
        else:
            periods.append(
                {
                    "from": iso(a),
                    "to": iso(b),
                    "headcount": have,
                    "required": need,
                    "source": source,
                }
            )
    return periods


def checks_of(records: list[Record]) -> list[tuple[str, str, bool]]:
    """(time, person, is a check-in) of the site's CheckedIn/CheckedOut records;
    they are read from the timeline when asked, not kept in the document."""
    return [
        (r["occurred_at"], r["data"]["personnel_id"], r["type"] == "CheckedIn")
        for r in records
        if r["type"] in ("CheckedIn", "CheckedOut")
    ]


def checkin_gaps(
    doc: Doc, checks: list[tuple[str, str, bool]], start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """Per person, the time from one check-in to the next (or to their check-out)
    when it is longer than the interval ordered at its start."""
    found: list[dict[str, Any]] = []
    by_person: dict[str, list[tuple[datetime, bool]]] = {}
    for at, person, is_in in checks:
        moment = when(at)
        assert moment is not None
        by_person.setdefault(person, []).append((moment, is_in))
    for person, times in sorted(by_person.items()):
        times.sort(key=lambda c: c[0])
        for (a, a_in), (b, _) in zip(times, times[1:], strict=False):
            if not a_in or b <= start or a >= end:
                continue
            _, interval = _ordered(doc, a)
            minutes = (b - a).total_seconds() / 60
            if interval and minutes > interval:
                found.append(
                    {
                        "personnel_id": person,
                        "from": iso(a),
                        "to": iso(b),
                        "minutes": round(minutes, 1),
                        "ordered_minutes": interval,
                    }
                )
    return found


def report(
    doc: Doc, checks: list[tuple[str, str, bool]], start: datetime, end: datetime
) -> dict[str, Any]:
    return {
        "site_id": doc["site_id"],
        "from": iso(start),
        "to": iso(end),
        "understaffed": understaffed(doc, start, end),
        "checkin_gaps": checkin_gaps(doc, checks, start, end),
    }


def window_ok(start: datetime, end: datetime) -> bool:
    return end > start and end - start <= timedelta(days=366)
