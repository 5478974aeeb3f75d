"""The site board: facts per site from the log, and its status judged at a moment.

Facts are folded from events; the status depends on the clock (a patrol visit goes
stale as time passes), so it is judged when asked, against the rule in force then.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from application.projections import anomalies
from application.projections.anomalies import DEFAULT_LIMITS, Limits
from application.projections.checked import board_doc
from application.projections.common import (
    INCIDENT_TYPES,
    Doc,
    Record,
    key_id,
    later,
    when,
)

KINDS = ("site",)
# The event types `apply` acts on; the runner skips the others for this view.
TYPES = frozenset(
    {
        "SiteRegistered",
        "SiteUpdated",
        "GuardRequirementSet",
        "AlertLevelChanged",
        "SiteDecommissioned",
        "ShiftStarted",
        "ShiftHandedOver",
        "ShiftEnded",
        "CheckedIn",
        "CheckedOut",
        "SiteVisited",
        "AssignmentIssued",
        "AssignmentRevoked",
        *INCIDENT_TYPES,
    }
)
# Hours between patrol visits when the site sets none, by alert level.
PATROL_HOURS = {"normal": 24, "waspada": 12, "siaga": 6, "awas": 3}
TIGHT_STAGES = ("quiet_period", "voting")  # intervals are halved in these stages
SITE_FIELDS = (
    "kind",
    "name",
    "province",
    "regency",
    "province_name",
    "regency_name",
    "address",
    "timezone",
    "posture",
    "required_guards",
    "lat",
    "lon",
)


def apply(doc: Doc | None, record: Record, key: str) -> Doc | None:
    t, d = record["type"], record["data"]
    if t == "SiteRegistered":
        doc = {
            "site_id": d["site_id"],
            **{f: d.get(f) for f in SITE_FIELDS},
            "registered_at": record["occurred_at"],
            "alert_level": "normal",
            "alert_reason": None,
            "checkin_interval_minutes": None,
            "patrol_interval_minutes": None,
            "decommissioned": False,
            "on_duty": None,
            "last_check_in_at": None,
            "last_patrol_visit": None,
            "incidents": {},
            "assignments": {},
            "watch": {"checked_in": {}, "reports": []},
            "anomalies": [],
        }
        return doc
    if doc is None:
        return None
    doc = dict(doc)
    if t in anomalies.TYPES:
        doc = anomalies.observe(doc, record)
    if t == "SiteUpdated":
        doc.update({k: v for k, v in d["changes"].items() if k in SITE_FIELDS})
    elif t == "GuardRequirementSet":
        doc["required_guards"] = d["required_guards"]
        doc["checkin_interval_minutes"] = d.get("checkin_interval_minutes")
        doc["patrol_interval_minutes"] = d.get("patrol_interval_minutes")
    elif t == "AlertLevelChanged":
        doc["alert_level"], doc["alert_reason"] = d["level"], d["reason"]
    elif t == "SiteDecommissioned":
        doc["decommissioned"] = True
        doc["on_duty"] = None  # nobody guards it from then on, as the gaps say
    elif t in ("ShiftStarted", "ShiftHandedOver", "ShiftEnded"):
        doc["on_duty"] = _duty(doc["on_duty"], record)
    elif t == "CheckedIn":
        doc["last_check_in_at"] = later(doc["last_check_in_at"], record["occurred_at"])
    elif t == "SiteVisited":
        doc["last_patrol_visit"] = _visit(doc["last_patrol_visit"], record)
    elif t.startswith("Incident") or t in ("BackupRequested", "BackupArrived"):
        doc["incidents"] = _incidents(doc["incidents"], record)
    elif t in ("AssignmentIssued", "AssignmentRevoked"):
        doc["assignments"] = _assignments(doc["assignments"], record, key_id(key))
    return doc


def _duty(on_duty: Doc | None, record: Record) -> Doc | None:
    t, d = record["type"], record["data"]
    if t == "ShiftStarted":
        return {
            "shift_id": d["shift_id"],
            "unit_id": d["unit_id"],
            "commander_id": d["commander_id"],
            "roster": list(d["roster"]),
            "headcount": len(d["roster"]),
            "since": record["occurred_at"],
        }
    if t == "ShiftHandedOver":
        return {
            "shift_id": d["incoming_shift_id"],
            "unit_id": d["incoming_unit_id"],
            "commander_id": d["incoming_commander_id"],
            "roster": list(d["incoming_roster"]),
            "headcount": len(d["incoming_roster"]),
            "since": record["occurred_at"],
        }
    if on_duty is not None and on_duty["shift_id"] == d["shift_id"]:
        return None
    return on_duty


def _visit(last: Doc | None, record: Record) -> Doc:
    d = record["data"]
    owner = record.get("owner") or {}
    visit = {
        "at": d["arrived_at"],
        "patrol_id": record["aggregate_id"],
        "leader_id": owner.get("leader_id"),
    }
    if last is None or later(last["at"], visit["at"]) == visit["at"]:
        return visit
    return last


def _incidents(incidents: dict[str, Doc], record: Record) -> dict[str, Doc]:
    t, d, iid = record["type"], record["data"], record["aggregate_id"]
    incidents = dict(incidents)
    if t == "IncidentReported":
        incidents[iid] = {"severity": d["severity"], "open": True}
    elif iid in incidents:
        entry = dict(incidents[iid])
        if t == "IncidentEscalated":
            entry["severity"] = d["severity"]
        elif t in ("IncidentResolved", "IncidentClosed"):
            entry["open"] = False
        elif t == "IncidentReopened":
            entry["open"] = True
        incidents[iid] = entry
    return incidents


def _assignments(
    orders: dict[str, Doc],
    record: Record,
    site_id: str,
) -> dict[str, Doc]:
    d, aid = record["data"], record["aggregate_id"]
    orders = dict(orders)
    if record["type"] == "AssignmentIssued":
        headcount = d.get("headcount") or len(d.get("personnel_ids") or [])
        guarding = d.get("site_id") == site_id
        orders[aid] = {
            "starts_at": d["starts_at"],
            "ends_at": d["ends_at"],
            "headcount": headcount if guarding else 0,
            "checkin_interval_minutes": d.get("checkin_interval_minutes"),
            "revoked_at": None,
        }
    elif aid in orders:
        orders[aid] = {**orders[aid], "revoked_at": record["occurred_at"]}
    return orders


def in_force(order: Doc, now: datetime) -> bool:
    starts, ends, revoked = (
        when(order["starts_at"]),
        when(order["ends_at"]),
        when(order["revoked_at"]),
    )
    assert starts is not None and ends is not None
    return starts <= now < ends and (revoked is None or now < revoked)


def rules(doc: Doc, now: datetime, stage: str | None) -> dict[str, Any]:
    """The requirement, check-in and patrol intervals in force at `now`."""
    orders = [o for o in doc["assignments"].values() if in_force(o, now)]
    # Orders add up (each names its own team), as the gaps count them.
    required = max(doc["required_guards"] or 0, sum(o["headcount"] for o in orders))
    checkins = [
        m
        for m in [
            doc["checkin_interval_minutes"],
            *(o["checkin_interval_minutes"] for o in orders),
        ]
        if m
    ]
    checkin = min(checkins) if checkins else None
    patrol = doc["patrol_interval_minutes"] or PATROL_HOURS[doc["alert_level"]] * 60
    if stage in TIGHT_STAGES:
        patrol = patrol / 2
        checkin = checkin / 2 if checkin else None
    return {"required": required, "checkin_minutes": checkin, "patrol_minutes": patrol}


def span_unit(seconds: float) -> tuple[int, str]:
    """A span in the unit the board speaks it: days from 48 h, else hours, else
    minutes."""
    hours = seconds / 3600
    if hours >= 48:
        return round(hours / 24), "d"
    if hours >= 1:
        return round(hours), "h"
    return round(seconds / 60), "min"


# A reason is a code and its parameters, so each reader can say it in its language;
# `reason_text` is the API's English.
Reason = dict[str, Any]
REASON_TEXTS = {
    "decommissioned": "decommissioned",
    "open_incident": "open severity-{severity} incident",
    "awas_nobody_on_duty": "alert level awas and nobody on duty",
    "understaffed": "understaffed {headcount}/{required}",
    "no_check_in_for": "no check-in for {amount} {unit}",
    "no_check_in_since_shift_began": "no check-in since the shift began",
    "no_patrol_visit_for": "no patrol visit for {amount} {unit}",
    "no_patrol_visit_yet": "no patrol visit yet",
    "invalid_value": "invalid value: {field}",
    "field_anomalies": "field anomalies in the last 24 h: {count}",
}


def reason_text(reason: Reason) -> str:
    params = {k: v for k, v in reason.items() if k != "code"}
    return REASON_TEXTS[reason["code"]].format(**params)


def _span(code: str, span: timedelta) -> Reason:
    amount, unit = span_unit(span.total_seconds())
    return {"code": code, "amount": amount, "unit": unit}


def judge_codes(
    doc: Doc, now: datetime, stage: str | None, limits: Limits = DEFAULT_LIMITS
) -> tuple[str, list[Reason]]:
    """The status (green, amber, red) and its reasons at `now`, worst first."""
    if doc["decommissioned"]:
        return "green", [{"code": "decommissioned"}]
    rule = rules(doc, now, stage)
    red: list[Reason] = []
    amber: list[Reason] = []
    open_severities = [i["severity"] for i in doc["incidents"].values() if i["open"]]
    top = max(open_severities, default=0)
    if top >= 3:
        red.append({"code": "open_incident", "severity": top})
    elif top:
        amber.append({"code": "open_incident", "severity": top})
    duty = doc["on_duty"]
    headcount = duty["headcount"] if duty else 0
    if doc["alert_level"] == "awas" and duty is None:
        red.append({"code": "awas_nobody_on_duty"})
    required = rule["required"]
    staffing = {"code": "understaffed", "headcount": headcount, "required": required}
    if required and headcount * 2 < required:
        red.append(staffing)
    elif headcount < required:
        amber.append(staffing)
    if rule["checkin_minutes"] and duty is not None:
        last = when(doc["last_check_in_at"])
        since = when(duty["since"])
        assert since is not None
        ref = max(last, since) if last else since
        if now - ref > timedelta(minutes=rule["checkin_minutes"]):
            amber.append(
                _span("no_check_in_for", now - ref)
                if last
                else {"code": "no_check_in_since_shift_began"}
            )
    visit = doc["last_patrol_visit"]
    ref_visit = when(visit["at"] if visit else doc["registered_at"])
    if ref_visit is not None and now - ref_visit > timedelta(
        minutes=rule["patrol_minutes"]
    ):
        amber.append(
            _span("no_patrol_visit_for", now - ref_visit)
            if visit
            else {"code": "no_patrol_visit_yet"}
        )
    recent = anomalies.of_site(doc, limits, now)
    if recent:
        amber.append({"code": "field_anomalies", "count": len(recent)})
    if red:
        return "red", red + amber
    if amber:
        return "amber", amber
    return "green", []


def judge(
    doc: Doc, now: datetime, stage: str | None, limits: Limits = DEFAULT_LIMITS
) -> tuple[str, list[str]]:
    """The status (green, amber, red) and its reasons in the API's English."""
    status, reasons = judge_codes(doc, now, stage, limits)
    return status, [reason_text(r) for r in reasons]


def row(
    doc: Doc, now: datetime, stage: str | None, limits: Limits = DEFAULT_LIMITS
) -> dict[str, Any]:
    """The board row of a site at `now`, with its field anomalies newest first; a
    value the board cannot use is named in `invalid_values` and among the reasons,
    and put aside."""
    doc, invalid = board_doc(doc)
    status, codes = judge_codes(doc, now, stage, limits)
    if invalid:
        codes = [*codes, *({"code": "invalid_value", "field": f} for f in invalid)]
        status = "amber" if status == "green" else status
    rule = rules(doc, now, stage)
    duty = doc["on_duty"]
    open_incidents = [i for i in doc["incidents"].values() if i["open"]]
    return {
        "site_id": doc["site_id"],
        "kind": doc["kind"],
        "name": doc["name"],
        "province": doc["province"],
        "regency": doc["regency"],
        "province_name": doc["province_name"],
        "regency_name": doc["regency_name"],
        "address": doc["address"],
        "timezone": doc["timezone"],
        "posture": doc["posture"],
        "alert_level": doc["alert_level"],
        "required_guards": rule["required"],
        "on_duty": None if duty is None else {**duty, "required": rule["required"]},
        "last_check_in_at": doc["last_check_in_at"],
        "last_patrol_visit": doc["last_patrol_visit"],
        "open_incidents": len(open_incidents),
        "max_open_severity": max((i["severity"] for i in open_incidents), default=None),
        "status": status,
        "reasons": [reason_text(r) for r in codes],
        "reason_codes": codes,
        "lat": doc.get("lat"),
        "lon": doc.get("lon"),
        "decommissioned": doc["decommissioned"],
        "invalid_values": invalid,
        "anomalies": anomalies.of_site(doc, limits),
    }
