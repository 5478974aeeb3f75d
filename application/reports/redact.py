"""Bawaslu's reading of a report: at covert sites, how many guarded and when, never
who guarded, patrolled or was involved (the fields of application/redaction.py,
the same the API hides); a unit's day leaves its covert sites out, since the entry
itself would say the unit was there. No report carries an ID number (NRP/NIP)."""

from __future__ import annotations

from typing import Any

from application.redaction import hide_guards as _hide


def _texts(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set().union(*map(_texts, value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*map(_texts, value)) if value else set()
    return {value} if isinstance(value, str) else set()


def _mentioned(body: dict[str, Any], names: dict[str, Any]) -> dict[str, Any]:
    """The names of the units and people the shown body still mentions."""
    texts = _texts(body)
    return {k: v for k, v in names.items() if k.split(":", 1)[-1] in texts}


def _shown(body: dict[str, Any], hidden: dict[str, Any]) -> dict[str, Any]:
    """The body with `hidden` parts replacing its own, and only the names those
    parts still mention."""
    shown = {**body, **hidden}
    shown.pop("names", None)
    return {**shown, "names": _mentioned(shown, body["names"])}


def daily_for_bawaslu(body: dict[str, Any]) -> dict[str, Any]:
    if body["site"]["posture"] != "covert":
        return body
    return _shown(body, _hide({k: v for k, v in body.items() if k != "names"}))


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
        "sites": [_hide(s) if s["site_id"] in covert else s for s in body["sites"]],
        "corrections": [
            {**c, "changes": _hide(c["changes"])} for c in body["corrections"]
        ],
    }


def _positions(value: Any) -> set[int]:
    """Every log position an entry names (its own, what it corrects)."""
    if isinstance(value, list):
        return set().union(*map(_positions, value)) if value else set()
    if not isinstance(value, dict):
        return set()
    found = {value["position"]} if isinstance(value.get("position"), int) else set()
    return found.union(*map(_positions, value.values()))


def unit_for_bawaslu(body: dict[str, Any]) -> dict[str, Any]:
    """A unit's day without its covert sites: only its overt duty, checks, patrol
    visits and incidents, and the late entries and corrections of those."""
    covert = {s for s, facts in body["sites"].items() if facts["posture"] == "covert"}
    if not covert:
        return body
    parts = ("duty", "checks", "visits", "incidents")
    there = _positions(
        [e for p in parts for e in body[p] if e.get("site_id") in covert]
    )

    def shown(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            e
            for e in entries
            if e.get("site_id") not in covert and not _positions(e) & there
        ]

    hidden = {
        **{p: shown(body[p]) for p in (*parts, "late")},
        "corrections": [
            {**c, "changes": _hide(c["changes"])} for c in shown(body["corrections"])
        ],
        "sites": {s: f for s, f in body["sites"].items() if s not in covert},
    }
    return _shown(body, hidden)
