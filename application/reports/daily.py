"""The daily activity report of a site for one day in the site's zone: who was on
duty when, handovers with the seal states, check-ins, patrol visits, incidents and
their response times, gaps against the assignment orders, late entries and
corrections. Built from records only, so anyone with the log can build it again."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from application.projections import FOLDED, fold
from application.projections.common import Record, iso, when
from application.projections.gaps import checkin_gaps, checks_of, understaffed
from application.reports.common import (
    corrected,
    correction_entry,
    inside,
    late_entry,
    names,
    seconds,
    span,
    stamp,
    window,
)
from application.reports.source import Source
from domain.errors import NotFound

DUTY = ("ShiftStarted", "ShiftHandedOver", "ShiftEnded")
CHECKS = ("CheckedIn", "CheckedOut")


def site_facts(records: list[Record], site_id: str) -> dict[str, Any]:
    """The site as registered and updated, and its alert level over time."""
    facts: dict[str, Any] = {}
    levels: list[dict[str, Any]] = []
    for r in records:
        d = r["data"]
        if r["type"] == "SiteRegistered" and d.get("site_id") == site_id:
            facts = {k: d.get(k) for k in SITE_KEYS}
            levels = [{"at": r["occurred_at"], "level": "normal", "reason": None}]
        elif r["type"] == "SiteUpdated" and facts:
            facts.update(
                {k: v for k, v in (d.get("changes") or {}).items() if k in SITE_KEYS}
            )
        elif r["type"] == "GuardRequirementSet" and facts:
            facts["required_guards"] = d.get("required_guards")
        elif r["type"] == "AlertLevelChanged" and facts:
            levels.append(
                {"at": r["occurred_at"], "level": d["level"], "reason": d["reason"]}
            )
    if not facts:
        raise NotFound(f"unknown site: {site_id}", field="site_id", id=site_id)
    return {**facts, "alert_levels": levels}


SITE_KEYS = (
    "site_id",
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
)


def duty_periods(
    records: list[Record], start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """The teams on duty, cut to the window: from, to, unit, commander, roster."""
    steps = sorted(
        (r for r in records if r["type"] in DUTY),
        key=lambda r: (when(r["occurred_at"]), r["position"]),
    )
    periods: list[dict[str, Any]] = []
    team: dict[str, Any] | None = None
    since: datetime | None = None

    def close(until: datetime) -> None:
        if team is None or since is None:
            return
        a, b = max(since, start), min(until, end)
        if a < b:
            periods.append({**team, "from": iso(a), "to": iso(b)})

    for r in steps:
        at = when(r["occurred_at"])
        assert at is not None
        if at >= end:
            break
        close(at)
        d = r["data"]
        if r["type"] == "ShiftStarted":
            team = _team(d["shift_id"], d["unit_id"], d["commander_id"], d["roster"])
        elif r["type"] == "ShiftHandedOver":
            team = _team(
                d["incoming_shift_id"],
                d["incoming_unit_id"],
                d["incoming_commander_id"],
                d["incoming_roster"],
            )
        else:
            team = None
        since = at
    close(end)
    return periods


def _team(shift: str, unit: str, commander: str, roster: list[str]) -> dict[str, Any]:
    return {
        "shift_id": shift,
        "unit_id": unit,
        "commander_id": commander,
        "roster": list(roster),
        "headcount": len(roster),
    }


def incident_entries(
    records: list[Record], start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """Incidents reported in the window, each with its steps up to the report's
    position and the time each response took."""
    steps: dict[str, list[Record]] = {}
    for r in records:
        if (r.get("owner") or {}).get("kind") == "incident" or r[
            "type"
        ] == "IncidentReported":
            steps.setdefault(r["aggregate_id"], []).append(r)
    found = []
    for incident_id, history in steps.items():
        first = history[0]
        if first["type"] != "IncidentReported" or not inside(
            first["occurred_at"], start, end
        ):
            continue
        found.append(incident_entry(incident_id, history))
    return sorted(found, key=lambda i: (i["reported_at"], i["position"]))


def incident_entry(incident_id: str, history: list[Record]) -> dict[str, Any]:
    first, d = history[0], history[0]["data"]
    times: dict[str, str | None] = {
        "acknowledged_at": None,
        "backup_requested_at": None,
        "backup_arrived_at": None,
        "resolved_at": None,
        "closed_at": None,
    }
    names_of = {
        "IncidentAcknowledged": "acknowledged_at",
        "BackupRequested": "backup_requested_at",
        "BackupArrived": "backup_arrived_at",
        "IncidentResolved": "resolved_at",
        "IncidentClosed": "closed_at",
    }
    severity, state, notes = d["severity"], "reported", []
    for r in history[1:]:
        if r["type"] in names_of and times[names_of[r["type"]]] is None:
            times[names_of[r["type"]]] = r["occurred_at"]
        if r["type"] == "IncidentEscalated":
            severity = r["data"]["severity"]
        elif r["type"] == "IncidentNoteAdded":
            notes.append({**stamp(r), "text": r["data"].get("text")})
        state = STATE_AFTER.get(r["type"], state)
    reported = first["occurred_at"]
    return {
        **stamp(first),
        "incident_id": incident_id,
        "site_id": d.get("site_id"),
        "location": d.get("location"),
        "category": d["category"],
        "severity": severity,
        "first_severity": d["severity"],
        "description": d["description"],
        "reporter": d.get("reporter"),
        "reported_at": reported,
        "state": state,
        **times,
        "response_seconds": {
            "acknowledge": seconds(reported, times["acknowledged_at"]),
            "backup": seconds(reported, times["backup_arrived_at"]),
            "resolve": seconds(reported, times["resolved_at"]),
        },
        "notes": notes,
        "steps": [stamp(r) for r in history[1:]],
    }


STATE_AFTER = {
    "IncidentAcknowledged": "acknowledged",
    "IncidentResolved": "resolved",
    "IncidentClosed": "closed",
    "IncidentReopened": "acknowledged",
}


def daily_site(source: Source, site_id: str, day: date) -> dict[str, Any]:
    """The report's body; what Bawaslu may not see is taken out afterwards."""
    raw = source.about([f"site:{site_id}"])
    records, corrections = corrected(raw)
    site = site_facts(records, site_id)
    start, end = window(day, day, site["timezone"])
    today = [r for r in records if inside(r["occurred_at"], start, end)]
    gaps_doc = fold(FOLDED["gaps"], f"site:{site_id}", records)
    checks = checks_of([r for r in records if r["type"] in CHECKS])
    patrols = {
        r["aggregate_id"]: r["data"] for r in records if r["type"] == "PatrolPlanned"
    }
    visits = [
        {
            **stamp(r),
            **{k: r["data"].get(k) for k in VISIT_KEYS},
            "patrol_id": r["aggregate_id"],
            "patrol": patrols.get(r["aggregate_id"]),
        }
        for r in records
        if r["type"] == "SiteVisited"
        and r["data"].get("site_id") == site_id
        and inside(r["data"].get("arrived_at"), start, end)
    ]
    in_report = {r["event_id"] for r in today}
    targets = {r["event_id"]: r for r in records}
    return {
        "site": site,
        "day": day.isoformat(),
        "zone": site["timezone"],
        "window": span(start, end),
        "duty": duty_periods(records, start, end),
        "handovers": [
            {**stamp(r), **{k: r["data"].get(k) for k in HANDOVER_KEYS}}
            for r in today
            if r["type"] == "ShiftHandedOver"
        ],
        "seals": [
            {
                **stamp(r),
                **{k: r["data"].get(k) for k in ("seal_numbers", "status", "notes")},
            }
            for r in today
            if r["type"] == "SealRecorded"
        ],
        "movements": [
            {**stamp(r), **{k: r["data"].get(k) for k in MOVE_KEYS}}
            for r in today
            if r["type"] == "LogisticsMoved"
        ],
        "checks": [
            {**stamp(r), **{k: r["data"].get(k) for k in ("personnel_id", "method")}}
            for r in today
            if r["type"] in CHECKS
        ],
        "visits": visits,
        "incidents": incident_entries(records, start, end),
        "gaps": {
            "understaffed": []
            if gaps_doc is None
            else understaffed(gaps_doc, start, end),
            "checkins": []
            if gaps_doc is None
            else checkin_gaps(gaps_doc, checks, start, end),
        },
        "late": [late_entry(r) for r in today if r.get("late")],
        "corrections": [
            correction_entry(c, targets)
            for c in corrections
            if c["data"]["event_id"] in in_report
            or inside(c["recorded_at"], start, end)
        ],
        "names": names(source, raw),
    }


VISIT_KEYS = ("arrived_at", "departed_at", "condition", "people_met", "notes")
HANDOVER_KEYS = (
    "shift_id",
    "incoming_shift_id",
    "outgoing_unit_id",
    "incoming_unit_id",
    "outgoing_commander_id",
    "incoming_commander_id",
    "outgoing_roster",
    "incoming_roster",
    "observations",
    "seals_intact",
)
MOVE_KEYS = (
    "direction",
    "items",
    "from_location",
    "to_location",
    "escort_ids",
    "seal_numbers",
)
