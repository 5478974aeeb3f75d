"""Logistics custody: seal checks and movements of election logistics."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

from domain import values as v
from domain.errors import InvalidValue

SEAL_STATUSES = ("intact", "broken")
DIRECTIONS = ("in", "out")


class SealCheck(Aggregate):
    @staticmethod
    def create_id() -> UUID:
        return uuid4()

    @classmethod
    def record(cls, site_id: str, occurred_at: datetime, **raw: Any) -> SealCheck:
        seals = v.texts(raw.get("seal_numbers"), "seal_numbers", limit=100)
        if not seals:
            raise InvalidValue("seal_numbers", "must name at least one seal")
        return cls(
            site_id=site_id,
            seal_numbers=seals,
            status=v.choice(raw.get("status"), "status", SEAL_STATUSES),
            notes=v.text(raw.get("notes"), "notes", required=False),
            occurred_at=v.aware(occurred_at, "occurred_at"),
        )

    @event("SealRecorded")
    def __init__(
        self,
        site_id: str,
        seal_numbers: list[str],
        status: str,
        notes: str,
        occurred_at: datetime,
    ) -> None:
        self.site_id = site_id


class LogisticsMovement(Aggregate):
    @staticmethod
    def create_id() -> UUID:
        return uuid4()

    @classmethod
    def record(
        cls, site_id: str, occurred_at: datetime, **raw: Any
    ) -> LogisticsMovement:
        return cls(
            site_id=site_id,
            direction=v.choice(raw.get("direction"), "direction", DIRECTIONS),
            items=v.text(raw.get("items"), "items", limit=2000),
            from_location=v.text(raw.get("from_location"), "from_location", limit=300),
            to_location=v.text(raw.get("to_location"), "to_location", limit=300),
            escort_ids=v.slugs(
                raw.get("escort_ids") or [], "escort_ids", allow_empty=True
            ),
            seal_numbers=v.texts(raw.get("seal_numbers"), "seal_numbers", limit=100),
            occurred_at=v.aware(occurred_at, "occurred_at"),
        )

    @event("LogisticsMoved")
    def __init__(
        self,
        site_id: str,
        direction: str,
        items: str,
        from_location: str,
        to_location: str,
        escort_ids: list[str],
        seal_numbers: list[str],
        occurred_at: datetime,
    ) -> None:
        self.site_id = site_id
