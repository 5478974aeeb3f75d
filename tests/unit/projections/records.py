"""Hand-built event records for the pure view tests."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from application.projections import FOLDED, fold
from application.projections.common import Doc, Record
from application.projections.subjects import directory_updates, enrich

WIB = timezone(timedelta(hours=7))
T0 = datetime(2024, 1, 3, 7, 0, tzinfo=WIB)
ACTOR = {"id": "key-ops", "name": "Kabag Ops", "role": "ops"}


class Log:
    """Records in log order, enriched as the runner enriches them."""

    def __init__(self) -> None:
        self.directory: dict[str, Doc] = {}
        self.records: list[Record] = []
        self.subjects: dict[str, list[str]] = {}

    def get(self, key: str) -> Doc | None:
        return self.directory.get(key)

    def subjects_of_event(self, event_id: str) -> list[str] | None:
        return self.subjects.get(event_id)

    def add(
        self,
        type_: str,
        data: dict[str, Any],
        minutes: float = 0,
        aggregate_id: str = "agg-1",
        recorded_minutes: float | None = None,
    ) -> Record:
        occurred = T0 + timedelta(minutes=minutes)
        recorded = T0 + timedelta(
            minutes=minutes if recorded_minutes is None else recorded_minutes
        )
        position = len(self.records) + 1
        record: Record = {
            "position": position,
            "event_id": f"e{position}",
            "type": type_,
            "aggregate_id": aggregate_id,
            "occurred_at": occurred.isoformat(),
            "recorded_at": recorded.isoformat(),
            "late": False,
            "actor": ACTOR,
            "election": None,
            "stage": None,
            "data": data,
        }
        self.directory.update(directory_updates(record))
        full = enrich(record, self)
        self.subjects[record["event_id"]] = full["subjects"]
        self.records.append(full)
        return full

    def doc(self, view: str, key: str) -> Doc | None:
        """The view's document folded incrementally, recomputing on corrections as
        the runner does."""
        v = FOLDED[view]
        doc: Doc | None = None
        for record in self.records:
            if key not in v.keys(record):
                continue
            if record["type"] == "EntryCorrected":
                doc = fold(v, key, self.corrected(key, record["position"]))
            else:
                doc = v.apply(doc, record, key)
        return doc

    def corrected(self, key: str, upto: int) -> list[Record]:
        from application.projections.common import with_corrections

        mine = [
            r for r in self.records if key in r["subjects"] and r["position"] <= upto
        ]
        fixes: dict[str, list[Record]] = {}
        for r in mine:
            if r["type"] == "EntryCorrected":
                fixes.setdefault(r["data"]["event_id"], []).append(r)
        return [with_corrections(r, fixes.get(r["event_id"], [])) for r in mine]


def site(log: Log, site_id: str = "kpu-kab-jember", required: int = 6) -> None:
    log.add(
        "UnitRegistered",
        {
            "unit_id": "polres-jember",
            "name": "Polres Jember",
            "kind": "polri",
            "province": "jawa-timur",
            "regency": "kab-jember",
        },
        aggregate_id="u1",
    )
    log.add(
        "SiteRegistered",
        {
            "site_id": site_id,
            "kind": "kpu_office",
            "name": "KPU Jember",
            "province": "jawa-timur",
            "regency": "kab-jember",
            "province_name": "",
            "regency_name": "",
            "address": "",
            "timezone": "WIB",
            "lat": None,
            "lon": None,
            "required_guards": required,
            "posture": "overt",
        },
        aggregate_id="s1",
    )


def shift(log: Log, roster: list[str], minutes: float = 0) -> Record:
    return log.add(
        "ShiftStarted",
        {
            "site_id": "kpu-kab-jember",
            "shift_id": "shift-1",
            "unit_id": "polres-jember",
            "commander_id": roster[0],
            "roster": roster,
        },
        minutes,
        aggregate_id="s1",
    )
