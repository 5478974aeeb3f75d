"""Assignment order (Sprint): who must guard which site or patrol which route, when."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

from domain import values as v
from domain.errors import Conflict, InvalidValue


class AssignmentAlreadyRevoked(Conflict):
    """The order was revoked before."""


class Assignment(Aggregate):
    @staticmethod
    def create_id() -> UUID:
        return uuid4()

    @classmethod
    def issue(
        cls,
        unit_id: str,
        starts_at: datetime,
        ends_at: datetime,
        occurred_at: datetime,
        site_id: str | None = None,
        route: Sequence[str] | None = None,
        headcount: int | None = None,
        personnel_ids: Sequence[str] | None = None,
        checkin_interval_minutes: int | None = None,
        reference: str | None = None,
    ) -> Assignment:
        v.one_of("site_id", site_id, "route", route)
        v.one_of("headcount", headcount, "personnel_ids", personnel_ids)
        if ends_at <= starts_at:
            raise InvalidValue("ends_at", "must be after starts_at")
        return cls(
            unit_id=unit_id,
            site_id=site_id,
            route=None if route is None else list(route),
            headcount=headcount,
            personnel_ids=None if personnel_ids is None else list(personnel_ids),
            starts_at=starts_at,
            ends_at=ends_at,
            checkin_interval_minutes=checkin_interval_minutes,
            reference=reference or "",
            occurred_at=occurred_at,
        )

    @event("AssignmentIssued")
    def __init__(
        self,
        unit_id: str,
        site_id: str | None,
        route: list[str] | None,
        headcount: int | None,
        personnel_ids: list[str] | None,
        starts_at: datetime,
        ends_at: datetime,
        checkin_interval_minutes: int | None,
        reference: str,
        occurred_at: datetime,
    ) -> None:
        self.unit_id = unit_id
        self.site_id = site_id
        self.route = route
        self.revoked = False

    @property
    def sites(self) -> list[str]:
        return [self.site_id] if self.site_id else list(self.route or [])

    def revoke(self, reason: str, occurred_at: datetime) -> None:
        if self.revoked:
            raise AssignmentAlreadyRevoked("this assignment was already revoked")
        self._revoked(reason, occurred_at)

    @event("AssignmentRevoked")
    def _revoked(self, reason: str, occurred_at: datetime) -> None:
        self.revoked = True
