"""Bawaslu's reading of a report: at covert sites, how many guarded and when, never
who. No report carries an ID number (NRP/NIP) for anyone."""

from __future__ import annotations

from typing import Any

# Who guarded, in a report's entries (the API hides the same at covert sites).
WHO = frozenset(
    {
        "unit_id",
        "commander_id",
        "roster",
        "personnel_id",
        "outgoing_unit_id",
        "incoming_unit_id",
        "outgoing_commander_id",
        "incoming_commander_id",
        "outgoing_roster",
        "incoming_roster",
        "escort_ids",
    }
)


def _strip(entry: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in entry.items() if k not in WHO}


def daily_for_bawaslu(body: dict[str, Any]) -> dict[str, Any]:
    if body["site"]["posture"] != "covert":
        return body
    return {
        **body,
        "duty": [_strip(p) for p in body["duty"]],
        "handovers": [_strip(h) for h in body["handovers"]],
        "movements": [_strip(m) for m in body["movements"]],
        "checks": [_strip(c) for c in body["checks"]],
        "gaps": {
            **body["gaps"],
            "checkins": [_strip(g) for g in body["gaps"]["checkins"]],
        },
        "corrections": [
            {**c, "changes": _strip(c["changes"])} for c in body["corrections"]
        ],
        "names": {k: v for k, v in body["names"].items() if k.startswith("unit:")},
    }


def review_for_bawaslu(body: dict[str, Any]) -> dict[str, Any]:
    covert = {s["site_id"] for s in body["sites"] if s["posture"] == "covert"}
    if not covert:
        return body
    # People are named only where a neutrality concern names them.
    reported = {
        f"personnel:{c['reported_personnel_id']}"
        for c in body["concerns"]
        if c.get("reported_personnel_id")
    }
    return {
        **body,
        "names": {
            k: v
            for k, v in body["names"].items()
            if k.startswith("unit:") or k in reported
        },
        "sites": [
            {**s, "checkin_gaps": [_strip(g) for g in s["checkin_gaps"]]}
            if s["site_id"] in covert
            else s
            for s in body["sites"]
        ],
        "corrections": [
            {**c, "changes": _strip(c["changes"])} for c in body["corrections"]
        ],
    }


def unit_for_bawaslu(body: dict[str, Any]) -> dict[str, Any]:
    """A unit's day: at covert sites only when and how many, never who."""
    covert = {s for s, facts in body["sites"].items() if facts["posture"] == "covert"}
    if not covert:
        return body

    def hide(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [_strip(e) if e.get("site_id") in covert else e for e in entries]

    duty, checks = hide(body["duty"]), hide(body["checks"])
    # People keep their names where they are seen at overt sites only.
    seen = {
        f"personnel:{p}"
        for e in [*duty, *checks]
        for p in [e.get("commander_id"), e.get("personnel_id"), *e.get("roster", [])]
        if p
    }
    return {
        **body,
        "duty": duty,
        "checks": checks,
        "corrections": [
            {**c, "changes": _strip(c["changes"])} for c in body["corrections"]
        ],
        "names": {
            k: v for k, v in body["names"].items() if k.startswith("unit:") or k in seen
        },
    }
