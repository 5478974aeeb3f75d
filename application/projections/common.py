"""Helpers every view shares: times, keys and corrections applied to records."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

Doc = dict[str, Any]
Record = dict[str, Any]

# The events of an incident aggregate (views that follow incidents take all of them).
INCIDENT_TYPES = frozenset(
    {
        "IncidentReported",
        "IncidentAcknowledged",
        "BackupRequested",
        "BackupArrived",
        "IncidentEscalated",
        "IncidentNoteAdded",
        "IncidentResolved",
        "IncidentClosed",
        "IncidentReopened",
    }
)


def when(value: str | None) -> datetime | None:
    """An ISO 8601 time from a record, as an aware UTC datetime."""
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()


def later(a: str | None, b: str | None) -> str | None:
    """The later of two ISO times (either may be missing)."""
    if a is None:
        return b
    if b is None:
        return a
    ta, tb = when(a), when(b)
    assert ta is not None and tb is not None
    return a if ta >= tb else b


def key_id(key: str) -> str:
    """`site:kpu-kab-jember` -> `kpu-kab-jember`."""
    return key.split(":", 1)[1]


def kind_of(key: str) -> str:
    return key.split(":", 1)[0]


def region_key(province: str, regency: str | None) -> str:
    return f"region:{province}/{regency or ''}"


def with_corrections(record: Record, corrections: Iterable[Record]) -> Record:
    """The record as its corrections (EntryCorrected records, in log order) say."""
    fixed = copy.deepcopy(record)
    for correction in corrections:
        changes = correction["data"].get("changes") or {}
        for name, value in changes.items():
            if name == "occurred_at":
                fixed["occurred_at"] = value
            else:
                fixed["data"][name] = value
    return fixed
