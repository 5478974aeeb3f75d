"""Correction: nothing is edited; EntryCorrected names the fix to an earlier event."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

from domain import values as v
from domain.checkin import METHODS
from domain.custody import SEAL_STATUSES
from domain.errors import InvalidValue
from domain.incident import CATEGORIES
from domain.neutrality import FINDINGS
from domain.patrol import CONDITIONS
from domain.site import ALERT_LEVELS, POSTURES

# Fields that identify or place an event; a correction may not move them.
FIXED_FIELDS = frozenset({"site_id", "shift_id", "incoming_shift_id", "event_id"})
# A site's or unit's region decides which keys may act on it, from registration on.
REGION_FIELDS = frozenset({"province", "regency"})

# Fields whose values are chosen from a list, and the severity scale.
CHOICES: dict[str, tuple[str, ...]] = {
    "category": CATEGORIES,
    "level": ALERT_LEVELS,
    "condition": CONDITIONS,
    "method": METHODS,
    "status": SEAL_STATUSES,
    "finding": FINDINGS,
    "posture": POSTURES,
}


def corrected_value(name: str, old: Any, new: Any) -> Any:
    """Checks a corrected value against the kind of value the field holds."""
    field = f"changes.{name}"
    if name in CHOICES:
        return v.choice(new, field, CHOICES[name])
    if name == "severity":
        return v.integer(new, field, low=1, high=4)
    if name == "occurred_at" or name.endswith("_at"):
        if new is None and old is None:
            return None
        try:
            moment = datetime.fromisoformat(new) if isinstance(new, str) else new
        except ValueError:
            raise InvalidValue(field, "must be an ISO 8601 time") from None
        return v.aware(moment, field).isoformat()
    if old is None or new is None:
        return new
    if isinstance(old, bool) != isinstance(new, bool) or not isinstance(
        new, type(old) if not isinstance(old, (int, float)) else (int, float)
    ):
        raise InvalidValue(field, f"must be a {type(old).__name__} like the original")
    return new


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
        checked: dict[str, Any] = {}
        for name, new in changes.items():
            if name not in original:
                raise InvalidValue(
                    f"changes.{name}", f"{event_type} has no field {name}"
                )
            if name in FIXED_FIELDS:
                raise InvalidValue(
                    f"changes.{name}",
                    "identifies the entry; record a new entry instead",
                )
            if name in REGION_FIELDS:
                raise InvalidValue(
                    f"changes.{name}",
                    "places the entry in its region, which is fixed at registration",
                )
            checked[name] = corrected_value(name, original[name], new)
        return cls(
            event_id=event_id,
            corrected_type=event_type,
            corrected_aggregate_id=aggregate_id,
            reason=why,
            changes=checked,
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
