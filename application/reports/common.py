"""What every report shares: its window in a zone, records with their corrections
applied, the names of people and units, and the entries of late records and
corrections."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from application.projections.common import Record, iso, when, with_corrections
from application.reports.source import Source
from domain.evidence import referenced
from domain.regions import ZONES

REGISTRATIONS = ("PersonnelRegistered", "UnitRegistered")


def window(start: date, end: date, zone: str) -> tuple[datetime, datetime]:
    """[start 00:00, end+1 00:00) in the zone, as UTC-aware times."""
    tz = ZONES[zone]
    first = datetime.combine(start, time(), tzinfo=tz)
    last = datetime.combine(end + timedelta(days=1), time(), tzinfo=tz)
    return first, last


def inside(value: str | None, start: datetime, end: datetime) -> bool:
    moment = when(value)
    return moment is not None and start <= moment < end


def corrected(records: Sequence[Record]) -> tuple[list[Record], list[Record]]:
    """(the records other than corrections, each as its corrections say, the
    corrections) — corrections later than the report's position are not there."""
    fixes: dict[str, list[Record]] = {}
    corrections = [r for r in records if r["type"] == "EntryCorrected"]
    for c in corrections:
        fixes.setdefault(c["data"]["event_id"], []).append(c)
    plain = [
        with_corrections(r, fixes[r["event_id"]]) if r["event_id"] in fixes else r
        for r in records
        if r["type"] != "EntryCorrected"
    ]
    return plain, corrections


def actor(record: Record) -> dict[str, Any]:
    who = record.get("actor") or {}
    return {"name": who.get("name"), "role": who.get("role")}


def stamp(record: Record) -> dict[str, Any]:
    """What every entry of a report carries to be found in the log again."""
    return {
        "position": record["position"],
        "event_id": record["event_id"],
        "type": record["type"],
        "occurred_at": record["occurred_at"],
        "recorded_at": record["recorded_at"],
        "late": bool(record.get("late")),
        "actor": actor(record),
        "attachments": referenced(record["data"]),
    }


def names(source: Source, records: Iterable[Record]) -> dict[str, dict[str, Any]]:
    """`personnel:<id>` and `unit:<id>` -> name, rank, unit: every person and unit
    the records name, as registered (and corrected)."""
    wanted = sorted(
        {
            s
            for r in records
            for s in r["subjects"]
            if s.startswith(("personnel:", "unit:"))
        }
    )
    if not wanted:
        return {}
    found, _ = corrected(source.about(wanted, [*REGISTRATIONS, "EntryCorrected"]))
    table: dict[str, dict[str, Any]] = {}
    for r in found:
        d = r["data"]
        if r["type"] == "PersonnelRegistered":
            table[f"personnel:{d['personnel_id']}"] = {
                "name": d.get("name"),
                "rank": d.get("rank") or None,
                "unit_id": d.get("unit_id"),
            }
        elif r["type"] == "UnitRegistered":
            table[f"unit:{d['unit_id']}"] = {
                "name": d.get("name"),
                "kind": d.get("kind"),
            }
    return table


def correction_entry(c: Record, targets: dict[str, Record]) -> dict[str, Any]:
    target = targets.get(c["data"]["event_id"])
    return {
        **stamp(c),
        "reason": c["data"].get("reason"),
        "changes": c["data"].get("changes") or {},
        "corrects": None
        if target is None
        else {
            "position": target["position"],
            "type": target["type"],
            "occurred_at": target["occurred_at"],
        },
    }


def late_entry(r: Record) -> dict[str, Any]:
    occurred, recorded = when(r["occurred_at"]), when(r["recorded_at"])
    delay = None
    if occurred is not None and recorded is not None:
        delay = (recorded - occurred).total_seconds()
    return {**stamp(r), "delay_seconds": delay}


def seconds(start: str | None, end: str | None) -> float | None:
    a, b = when(start), when(end)
    return None if a is None or b is None else (b - a).total_seconds()


def span(start: datetime, end: datetime) -> dict[str, str | None]:
    return {"from": iso(start), "to": iso(end)}
