"""Correction: nothing is edited; EntryCorrected names the fix to an earlier event."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidValue

# Fields that identify or place an event; a correction may not move them.
FIXED_FIELDS = frozenset({"site_id", "shift_id", "incoming_shift_id", "event_id"})
# A site's or unit's region decides which keys may act on it, from registration on.
REGION_FIELDS = frozenset({"province", "regency"})
# What a registration registers is its identity; a person's unit is their region.
REGISTERED = {
    "SiteRegistered": frozenset({"site_id"}),
    "UnitRegistered": frozenset({"unit_id"}),
    "PersonnelRegistered": frozenset({"personnel_id", "unit_id"}),
}


def check_correctable(event_type: str, original: Mapping[str, Any], name: str) -> None:
    """Refuses a change the entry cannot take, whatever its value."""
    field = f"changes.{name}"
    if name not in original:
        raise InvalidValue(field, f"{event_type} has no field {name}")
    if name in FIXED_FIELDS or name in REGISTERED.get(event_type, ()):
        raise InvalidValue(field, "identifies the entry; record a new entry instead")
    if name in REGION_FIELDS:
        raise InvalidValue(
            field, "places the entry in its region, which is fixed at registration"
        )


class Correction(Aggregate):
    @staticmethod
    def create_id() -> UUID:
        return uuid4()

    @classmethod
    def record(
        cls,
        event_id: str,
        event_type: str,
        aggregate_id: str,
        original: Mapping[str, Any],
        reason: str,
        changes: Mapping[str, Any],
        occurred_at: datetime,
    ) -> Correction:
        """`changes` hold values already checked against their fields' rules."""
        if not changes:
            raise InvalidValue("changes", "must name at least one field and its value")
        for name in changes:
            check_correctable(event_type, original, name)
        return cls(
            event_id=event_id,
            corrected_type=event_type,
            corrected_aggregate_id=aggregate_id,
            reason=reason,
            changes=dict(changes),
            occurred_at=occurred_at,
        )

    @event("EntryCorrected")
    def __init__(
        self,
        event_id: str,
        corrected_type: str,
        corrected_aggregate_id: str,
        reason: str,
        changes: dict[str, Any],
        occurred_at: datetime,
    ) -> None:
        self.event_id = event_id
