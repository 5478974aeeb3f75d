"""Correction: nothing is edited; EntryCorrected names the fix to an earlier event."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

from domain import values as v
from domain.errors import InvalidValue

# Fields that identify or place an event; a correction may not move them.
FIXED_FIELDS = frozenset({"site_id", "shift_id", "incoming_shift_id"})


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
        reason: object,
        changes: object,
        occurred_at: datetime,
    ) -> Correction:
        why = v.text(reason, "reason", limit=2000)
        if not isinstance(changes, dict) or not changes:
            raise InvalidValue("changes", "must name at least one field and its value")
        for name in changes:
            if name not in original:
                raise InvalidValue(
                    f"changes.{name}", f"{event_type} has no field {name}"
                )
            if name in FIXED_FIELDS:
                raise InvalidValue(
                    f"changes.{name}",
                    "identifies the entry; record a new entry instead",
                )
        return cls(
            event_id=event_id,
            corrected_type=event_type,
            corrected_aggregate_id=aggregate_id,
            reason=why,
            changes=dict(changes),
            occurred_at=v.aware(occurred_at, "occurred_at"),
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
