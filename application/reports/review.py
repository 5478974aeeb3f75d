"""The post-election review of a regency or province over a period: coverage of its
sites, gaps against the orders, incidents by category with response times,
neutrality concerns with their deadlines and Bawaslu's findings, late entries and
corrections with who made them."""

from __future__ import annotations

from datetime import date, datetime
from statistics import median
from typing import Any

from application.projections import FOLDED, fold
from application.projections.common import Record, when
from application.projections.gaps import checkin_gaps, checks_of, understaffed
from application.projections.register import concern_row
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
from application.reports.daily import incident_entries, site_facts
from application.reports.source import Source
from domain.regions import zone_of

MAX_DAYS = 800


def _hours(periods: list[dict[str, Any]]) -> float:
    total = 0.0
    for p in periods:
        a, b = when(p["from"]), when(p["to"])
        if a is not None and b is not None:
            total += (b - a).total_seconds() / 3600
    return round(total, 2)


def _site_coverage(
    site_id: str, records: list[Record], start: datetime, end: datetime
) -> dict[str, Any]:
    mine = [r for r in records if f"site:{site_id}" in r["subjects"]]
    facts = site_facts(mine, site_id)
    doc = fold(FOLDED["gaps"], f"site:{site_id}", mine)
    checks = checks_of([r for r in mine if r["type"] in ("CheckedIn", "CheckedOut")])
    short = [] if doc is None else understaffed(doc, start, end)
    late_checks = [] if doc is None else checkin_gaps(doc, checks, start, end)
    return {
        "site_id": site_id,
        "name": facts["name"],
        "kind": facts["kind"],
        "posture": facts["posture"],
        "required_guards": facts["required_guards"],
        "check_ins": sum(
            1
            for r in mine
            if r["type"] == "CheckedIn" and inside(r["occurred_at"], start, end)
        ),
        "patrol_visits": sum(
            1
            for r in mine
            if r["type"] == "SiteVisited"
            and r["data"].get("site_id") == site_id
            and inside(r["data"].get("arrived_at"), start, end)
        ),
        "understaffed": short,
        "understaffed_hours": _hours(short),
        "against_orders_hours": _hours(
            [p for p in short if p["source"] == "assignment"]
        ),
        "checkin_gaps": late_checks,
    }


def _by_category(incidents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for i in incidents:
        groups.setdefault(i["category"], []).append(i)
    rows = []
    for category, group in sorted(groups.items()):
        row: dict[str, Any] = {"category": category, "count": len(group)}
        row["max_severity"] = max(i["severity"] for i in group)
        for step in ("acknowledge", "backup", "resolve"):
            values = [
                i["response_seconds"][step]
                for i in group
                if i["response_seconds"][step] is not None
            ]
            row[f"{step}_median_seconds"] = median(values) if values else None
            row[f"{step}_count"] = len(values)
        rows.append(row)
    return rows


def _concerns(
    records: list[Record], start: datetime, end: datetime
) -> list[dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for r in records:
        d = r["data"]
        if r["type"] == "NeutralityConcernReported" and inside(
            r["occurred_at"], start, end
        ):
            found[r["aggregate_id"]] = {
                **stamp(r),
                "concern_id": r["aggregate_id"],
                "at": r["occurred_at"],
                **{
                    k: d.get(k)
                    for k in (
                        "reporter",
                        "place",
                        "description",
                        "evidence_refs",
                        "site_id",
                        "reported_unit_id",
                        "reported_personnel_id",
                    )
                },
                "review": None,
            }
        elif r["type"] == "NeutralityReviewRecorded" and r["aggregate_id"] in found:
            found[r["aggregate_id"]]["review"] = {
                **stamp(r),
                "at": r["occurred_at"],
                **{
                    k: d.get(k)
                    for k in ("finding", "recommendation", "reference", "forwarded_to")
                },
            }
    return [concern_row(c) for c in sorted(found.values(), key=lambda c: c["position"])]


def review(
    source: Source, province: str, regency: str | None, start_day: date, end_day: date
) -> dict[str, Any]:
    """The report's body; what Bawaslu may not see is taken out afterwards."""
    zone = zone_of(province) or "WIB"
    start, end = window(start_day, end_day, zone)
    region = f"region:{province}/{regency}" if regency else f"region:{province}/%"
    raw = source.about([region])
    records, corrections = corrected(raw)
    site_ids = sorted(
        {
            r["data"]["site_id"]
            for r in records
            if r["type"] == "SiteRegistered"
            and r["data"].get("province") == province
            and (regency is None or r["data"].get("regency") == regency)
        }
    )
    sites = [_site_coverage(s, records, start, end) for s in site_ids]
    named: dict[str, Any] = next(
        (
            r["data"]
            for r in records
            if r["type"] == "SiteRegistered" and r["data"]["site_id"] in site_ids
        ),
        {},
    )
    incidents = incident_entries(records, start, end)
    period = [r for r in records if inside(r["occurred_at"], start, end)]
    in_period = {r["event_id"] for r in period}
    targets = {r["event_id"]: r for r in records}
    hours = (end - start).total_seconds() / 3600
    manned = [s for s in sites if s["required_guards"]]
    return {
        "region": {
            "province": province,
            "regency": regency,
            "province_name": named.get("province_name") or province,
            "regency_name": (named.get("regency_name") or regency) if regency else None,
        },
        "from": start_day.isoformat(),
        "to": end_day.isoformat(),
        "zone": zone,
        "window": span(start, end),
        "coverage": {
            "sites": len(sites),
            "sites_with_requirement": len(manned),
            "period_hours": round(hours, 2),
            "fully_manned_share": (
                None
                if not manned
                else round(
                    1
                    - sum(s["understaffed_hours"] for s in manned)
                    / (hours * len(manned)),
                    4,
                )
            ),
            "visited_sites": sum(1 for s in sites if s["patrol_visits"]),
        },
        "sites": sites,
        "incidents_by_category": _by_category(incidents),
        "incidents": incidents,
        "concerns": _concerns(records, start, end),
        "late": [late_entry(r) for r in period if r.get("late")],
        "corrections": [
            correction_entry(c, targets)
            for c in corrections
            if c["data"]["event_id"] in in_period
            or inside(c["recorded_at"], start, end)
        ],
        "names": names(source, raw),
    }
