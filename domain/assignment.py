"""Assignment order (Sprint): who must guard which site or patrol which route, when."""

from __future__ import annotations

from datetime import datetime
from typing import Any
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
    def issue(cls, occurred_at: datetime, **raw: Any) -> Assignment:
        site_id, route = raw.get("site_id"), raw.get("route")
        headcount, personnel_ids = raw.get("headcount"), raw.get("personnel_ids")
        v.one_of("site_id", site_id, "route", route)
        v.one_of("headcount", headcount, "personnel_ids", personnel_ids)
        starts_at = v.aware(raw.get("starts_at"), "starts_at")
        ends_at = v.aware(raw.get("ends_at"), "ends_at")
        if ends_at <= starts_at:
            raise InvalidValue("ends_at", "must be after starts_at")
        return cls(
            unit_id=v.slug(raw.get("unit_id"), "unit_id"),
            site_id=None if site_id is None else v.slug(site_id, "site_id"),
            route=None if route is None else v.slugs(route, "route"),
            headcount=v.optional_integer(headcount, "headcount", low=1, high=10_000),
            personnel_ids=(
                None
                if personnel_ids is None
                else v.slugs(personnel_ids, "personnel_ids")
            ),
            starts_at=starts_at,
            ends_at=ends_at,
            checkin_interval_minutes=v.optional_integer(
                raw.get("checkin_interval_minutes"),
                "checkin_interval_minutes",
                low=1,
                high=7 * 24 * 60,
            ),
            reference=v.text(
                raw.get("reference"), "reference", required=False, limit=200
            ),
            occurred_at=v.aware(occurred_at, "occurred_at"),
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

    def revoke(self, reason: object, occurred_at: datetime) -> None:
        if self.revoked:
            raise AssignmentAlreadyRevoked("this assignment was already revoked")
        self._revoked(
            v.text(reason, "reason", limit=2000), v.aware(occurred_at, "occurred_at")
        )

    @event("AssignmentRevoked")
    def _revoked(self, reason: str, occurred_at: datetime) -> None:
        self.revoked = True
