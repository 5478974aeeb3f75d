"""The daily activity report of a unit for one day in its region's zone: its teams
on duty at each site, its members' check-ins, the patrol visits it made, incidents
that name it, late entries and corrections."""

from __future__ import annotations

from datetime import date
from typing import Any

from application.reports.common import (
    corrected,
    correction_entry,
    inside,
    late_entry,
    names,
    span,
    stamp,
    window,
)
from application.reports.daily import (
    CHECKS,
    DUTY,
    VISIT_KEYS,
    duty_periods,
    incident_entries,
    site_facts,
)
from application.reports.source import Source
from domain.errors import NotFound
from domain.regions import zone_of


def daily_unit(source: Source, unit_id: str, day: date) -> dict[str, Any]:
    """A unit's day: its teams on duty at each site, its members' check-ins, the
    patrols it took part in, incidents it was named in, late entries, corrections."""
    raw = source.about([f"unit:{unit_id}"])
    records, corrections = corrected(raw)
    found = [r for r in records if r["type"] == "UnitRegistered"]
    if not found:
        raise NotFound(f"unknown unit: {unit_id}", field="unit_id", id=unit_id)
    unit = {
        k: found[-1]["data"].get(k)
        for k in ("unit_id", "name", "kind", "province", "regency")
    }
    zone = zone_of(unit["province"] or "") or "WIB"
    start, end = window(day, day, zone)
    sites = sorted(
        {
            s[5:]
            for r in records
            if r["type"] in DUTY
            for s in r["subjects"]
            if s.startswith("site:")
        }
    )
    duty: list[dict[str, Any]] = []
    for site in sites:
        steps, _ = corrected(source.about([f"site:{site}"], [*DUTY, "EntryCorrected"]))
        duty += [
            {**p, "site_id": site}
            for p in duty_periods(steps, start, end)
            if p["unit_id"] == unit_id
        ]
    members: list[str] = []
    if unit["province"]:
        region = f"region:{unit['province']}/{unit['regency'] or ''}"
        members = sorted(
            r["data"]["personnel_id"]
            for r in source.about([region], ["PersonnelRegistered"])
            if r["data"].get("unit_id") == unit_id
        )
    checks_raw = (
        source.about([f"personnel:{p}" for p in members], [*CHECKS, "EntryCorrected"])
        if members
        else []
    )
    checks, check_fixes = corrected(checks_raw)
    today = [r for r in records if inside(r["occurred_at"], start, end)]
    in_report = {r["event_id"] for r in today}
    targets = {r["event_id"]: r for r in records}
    body: dict[str, Any] = {
        "unit": unit,
        "day": day.isoformat(),
        "zone": zone,
        "window": span(start, end),
        "duty": sorted(duty, key=lambda p: (p["from"], p["site_id"])),
        "checks": [
            {
                **stamp(r),
                "site_id": r["data"].get("site_id"),
                **{k: r["data"].get(k) for k in ("personnel_id", "method")},
            }
            for r in checks
            if inside(r["occurred_at"], start, end)
        ],
        "visits": [
            {
                **stamp(r),
                **{k: r["data"].get(k) for k in VISIT_KEYS},
                "site_id": r["data"].get("site_id"),
                "patrol_id": r["aggregate_id"],
            }
            for r in today
            if r["type"] == "SiteVisited"
        ],
        "incidents": incident_entries(records, start, end),
        "late": [late_entry(r) for r in today if r.get("late")],
        "corrections": [
            correction_entry(c, targets)
            for c in [*corrections, *check_fixes]
            if c["data"]["event_id"] in in_report
            or inside(c["recorded_at"], start, end)
        ],
        "names": names(source, [*raw, *checks_raw]),
        "sites": {
            s: site_facts(
                source.about([f"site:{s}"], ["SiteRegistered", "SiteUpdated"]), s
            )["name"]
            for s in sites
        },
    }
    places = sorted(
        {e["site_id"] for part in ("duty", "checks", "visits") for e in body[part]}
        - {None}
    )
    body["sites"] = {s: _site(source, s) for s in places}
    return body


def _site(source: Source, site_id: str) -> dict[str, Any]:
    found = source.about([f"site:{site_id}"], ["SiteRegistered", "SiteUpdated"])
    facts = site_facts(found, site_id)
    return {"name": facts["name"], "posture": facts["posture"]}
