"""Logistics custody: seal checks and movements of election logistics."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

SEAL_STATUSES = ("intact", "broken")
DIRECTIONS = ("in", "out")


class SealCheck(Aggregate):
    @staticmethod
    def create_id() -> UUID:
        return uuid4()

    @classmethod
    def record(
        cls,
        site_id: str,
        seal_numbers: Sequence[str],
        status: str,
        occurred_at: datetime,
        notes: str | None = None,
        attachments: Sequence[dict[str, Any]] | None = None,
    ) -> SealCheck:
        return cls(
            site_id=site_id,
            seal_numbers=list(seal_numbers),
            status=status,
            notes=notes or "",
            occurred_at=occurred_at,
            attachments=list(attachments or []),
        )

    @event("SealRecorded")
    def __init__(
        self,
        site_id: str,
        seal_numbers: list[str],
        status: str,
        notes: str,
        occurred_at: datetime,
        attachments: list[dict[str, Any]] | None = None,
    ) -> None:
        self.site_id = site_id


class LogisticsMovement(Aggregate):
    @staticmethod
    def create_id() -> UUID:
        return uuid4()

    @classmethod
    def record(
        cls,
        site_id: str,
        direction: str,
        items: str,
        from_location: str,
        to_location: str,
        occurred_at: datetime,
        escort_ids: Sequence[str] | None = None,
        seal_numbers: Sequence[str] | None = None,
    ) -> LogisticsMovement:
        return cls(
            site_id=site_id,
            direction=direction,
            items=items,
            from_location=from_location,
            to_location=to_location,
            escort_ids=list(escort_ids or []),
            seal_numbers=list(seal_numbers or []),
            occurred_at=occurred_at,
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
