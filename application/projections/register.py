"""The neutrality register per unit and person: pledges, concerns with their UU 7/2017
art. 454 deadlines, Bawaslu reviews, and neutrality_violation incidents."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from application.projections.common import (
    INCIDENT_TYPES,
    Doc,
    Record,
    iso,
    key_id,
    kind_of,
    when,
)

KINDS = ("unit", "personnel")
# The event types `apply` acts on; the runner skips the others for this view.
TYPES = frozenset(
    {
        "UnitRegistered",
        "PersonnelRegistered",
        "NeutralityPledgeRecorded",
        "NeutralityConcernReported",
        "NeutralityReviewRecorded",
        *INCIDENT_TYPES,
    }
)
WIB = timezone(timedelta(hours=7))
REGISTER_WORKING_DAYS = 7  # art. 454(5): a report is registered within 7 working days
DECIDE_DAYS = 7  # Bawaslu decides within 7 days of registration (Perbawaslu 7/2022)


def _empty(key: str) -> Doc:
    ident = key_id(key)
    if kind_of(key) == "unit":
        return {
            "unit_id": ident,
            "name": None,
            "kind": None,
            "province": None,
            "regency": None,
            "pledges": [],
            "concerns": {},
            "reviews": [],
            "incidents": {},
        }
    return {
        "personnel_id": ident,
        "name": None,
        "unit_id": None,
        "id_number": None,
        "rank": None,
        "position": None,
        "pledges": [],
        "concerns": {},
        "reviews": [],
        "incidents": {},
    }


def _names(record: Record, key: str) -> bool:
    """Whether the event is about this unit or person itself (not only mentions it)."""
    d, ident = record["data"], key_id(key)
    owner = record.get("owner") or {}
    field = "unit" if kind_of(key) == "unit" else "personnel"
    direct = [d.get(f"{field}_id"), d.get(f"reported_{field}_id")]
    return (
        ident in direct
        or ident in owner.get(f"{field}_ids", [])
        or ident in (d.get(f"involved_{field}_ids") or [])
    )


def apply(doc: Doc | None, record: Record, key: str) -> Doc | None:
    t, d = record["type"], record["data"]
    stamp = {
        "at": record["occurred_at"],
        "recorded_at": record["recorded_at"],
        "position": record["position"],
        "event_id": record["event_id"],
    }
    if t == "UnitRegistered" and kind_of(key) == "unit":
        return {
            **(doc or _empty(key)),
            **{k: d.get(k) for k in ("name", "kind", "province", "regency")},
        }
    if t == "PersonnelRegistered" and key == f"personnel:{d['personnel_id']}":
        return {
            **(doc or _empty(key)),
            **{
                k: d.get(k)
                for k in ("name", "unit_id", "id_number", "rank", "position")
            },
        }
    if not _names(record, key):
        return doc
    if t == "NeutralityPledgeRecorded":
        doc = doc or _empty(key)
        pledge = {**stamp, "election": d["election"], "document_ref": d["document_ref"]}
        return {**doc, "pledges": [*doc["pledges"], pledge]}
    cid = record["aggregate_id"]
    if t == "NeutralityConcernReported":
        doc = doc or _empty(key)
        concern = {
            "concern_id": cid,
            **stamp,
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
        return {**doc, "concerns": {**doc["concerns"], cid: concern}}
    if t == "NeutralityReviewRecorded" and doc is not None and cid in doc["concerns"]:
        review = {
            "concern_id": cid,
            **stamp,
            **{
                k: d.get(k)
                for k in ("finding", "recommendation", "reference", "forwarded_to")
            },
        }
        concern = {**doc["concerns"][cid], "review": review}
        return {
            **doc,
            "concerns": {**doc["concerns"], cid: concern},
            "reviews": [*doc["reviews"], review],
        }
    return _incident(doc, record, key)


def _incident(doc: Doc | None, record: Record, key: str) -> Doc | None:
    t, d, iid = record["type"], record["data"], record["aggregate_id"]
    if t == "IncidentReported" and d["category"] == "neutrality_violation":
        doc = doc or _empty(key)
        entry = {
            "incident_id": iid,
            "site_id": d.get("site_id"),
            "location": d.get("location"),
            "severity": d["severity"],
            "description": d["description"],
            "reported_at": record["occurred_at"],
            "state": "reported",
        }
        return {**doc, "incidents": {**doc["incidents"], iid: entry}}
    if doc is None or iid not in doc["incidents"]:
        return doc
    entry = dict(doc["incidents"][iid])
    states = {
        "IncidentAcknowledged": "acknowledged",
        "IncidentResolved": "resolved",
        "IncidentClosed": "closed",
        "IncidentReopened": "acknowledged",
    }
    if t in states:
        entry["state"] = states[t]
    if t == "IncidentEscalated":
        entry["severity"] = d["severity"]
    return {**doc, "incidents": {**doc["incidents"], iid: entry}}


def add_working_days(start: datetime, days: int) -> datetime:
    """`start` moved on by `days` working days (Monday to Friday), read in WIB."""
    moment = start.astimezone(WIB)
    left = days
    while left:
        moment += timedelta(days=1)
        if moment.weekday() < 5:
            left -= 1
    return moment


def concern_row(concern: Doc) -> dict[str, Any]:
    """A concern with its deadlines and whether they were met."""
    occurred, recorded = when(concern["at"]), when(concern["recorded_at"])
    assert occurred is not None and recorded is not None
    register_by = add_working_days(occurred, REGISTER_WORKING_DAYS)
    decide_by = recorded + timedelta(days=DECIDE_DAYS)
    review = concern["review"]
    decided = None if review is None else when(review["at"])
    return {
        **concern,
        "occurred_at": concern["at"],
        "registration_deadline": iso(register_by),
        "registered_in_time": recorded <= register_by,
        "decision_deadline": iso(decide_by),
        "decided_in_time": None if decided is None else decided <= decide_by,
    }


def row(doc: Doc) -> dict[str, Any]:
    concerns = [
        concern_row(c)
        for c in sorted(doc["concerns"].values(), key=lambda c: c["position"])
    ]
    incidents = sorted(doc["incidents"].values(), key=lambda i: i["reported_at"])
    return {**doc, "concerns": concerns, "incidents": incidents}
