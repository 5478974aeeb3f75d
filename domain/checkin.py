"""Check-ins and check-outs of a person at a site.

Each is an aggregate of its own, so many people checking in at one site at once
never contend for one version.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

METHODS = ("qr", "nfc", "gps", "manual")


class CheckIn(Aggregate):
    @staticmethod
    def create_id() -> UUID:
        return uuid4()

    @classmethod
    def record(
        cls,
        site_id: str,
        personnel_id: str,
        method: str,
        occurred_at: datetime,
        lat: float | None = None,
        lon: float | None = None,
        device_time: datetime | None = None,
        device_synced_at: datetime | None = None,
    ) -> CheckIn:
        return cls(
            site_id=site_id,
            personnel_id=personnel_id,
            method=method,
            lat=lat,
            lon=lon,
            device_time=device_time,
            device_synced_at=device_synced_at,
            occurred_at=occurred_at,
        )

    @event("CheckedIn")
    def __init__(
        self,
        site_id: str,
        personnel_id: str,
        method: str,
        lat: float | None,
        lon: float | None,
        device_time: datetime | None,
        device_synced_at: datetime | None,
        occurred_at: datetime,
    ) -> None:
        self.site_id = site_id
        self.personnel_id = personnel_id


class CheckOut(Aggregate):
    @staticmethod
    def create_id() -> UUID:
        return uuid4()

    @classmethod
    def record(cls, site_id: str, personnel_id: str, occurred_at: datetime) -> CheckOut:
        return cls(site_id=site_id, personnel_id=personnel_id, occurred_at=occurred_at)

    @event("CheckedOut")
    def __init__(self, site_id: str, personnel_id: str, occurred_at: datetime) -> None:
        self.site_id = site_id
        self.personnel_id = personnel_id
