"""Custody of election logistics per warehouse: seal checks and movements, in order."""

from __future__ import annotations

from application.projections.common import Doc, Record, key_id

KINDS = ("site",)
# The event types `apply` acts on; the runner skips the others for this view.
TYPES = frozenset({"SealRecorded", "ShiftHandedOver", "LogisticsMoved"})


def apply(doc: Doc | None, record: Record, key: str) -> Doc | None:
    t, d = record["type"], record["data"]
    base = doc or {
        "site_id": key_id(key),
        "seals": [],
        "movements": [],
        "regions": record.get("regions", []),
    }
    stamp = {
        "at": record["occurred_at"],
        "position": record["position"],
        "event_id": record["event_id"],
        "actor": record["actor"],
    }
    if t == "SealRecorded":
        seal = {
            **stamp,
            "source": "seal_check",
            "seal_numbers": d["seal_numbers"],
            "status": d["status"],
            "notes": d.get("notes"),
        }
        return {**base, "seals": [*base["seals"], seal]}
    if t == "ShiftHandedOver" and d.get("seals_intact") is not None:
        seal = {
            **stamp,
            "source": "handover",
            "seal_numbers": [],
            "status": "intact" if d["seals_intact"] else "broken",
            "notes": d.get("observations"),
        }
        return {**base, "seals": [*base["seals"], seal]}
    if t == "LogisticsMoved":
        move = {
            **stamp,
            **{
                k: d.get(k)
                for k in (
                    "direction",
                    "items",
                    "from_location",
                    "to_location",
                    "escort_ids",
                    "seal_numbers",
                )
            },
        }
        return {**base, "movements": [*base["movements"], move]}
    return doc
