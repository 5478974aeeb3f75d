"""Site: an election site under guard, with its guard requirement and alert level."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain import values as v
from domain.duty import GuardDuty
from domain.errors import Conflict, InvalidValue
from domain.regions import zone_of

KINDS = (
    "kpu_office",
    "bawaslu_office",
    "logistics_warehouse",
    "tps",
    "ppk_office",
    "crowd_point",
    "other",
)
POSTURES = ("overt", "covert")
ALERT_LEVELS = ("normal", "waspada", "siaga", "awas")
UPDATABLE = (
    "name",
    "address",
    "province_name",
    "regency_name",
    "lat",
    "lon",
    "posture",
)


class SiteDecommissioned(Conflict):
    """The site is no longer guarded; nothing more can be recorded for it."""


def zone_for(province: str, timezone: str | None) -> str:
    """The site's time zone: the one given, else its province's."""
    zone = timezone or zone_of(province)
    if zone is None:
        raise InvalidValue(
            "timezone", "unknown province: give timezone (WIB, WITA or WIT)"
        )
    return zone


class Site(GuardDuty):
    @staticmethod
    def create_id(site_id: str) -> UUID:
        return v.named_id("site", site_id)

    @classmethod
    def register(
        cls,
        site_id: str,
        kind: str,
        name: str,
        province: str,
        regency: str,
        occurred_at: datetime,
        province_name: str | None = None,
        regency_name: str | None = None,
        address: str | None = None,
        timezone: str | None = None,
        lat: float | None = None,
        lon: float | None = None,
        required_guards: int | None = None,
        posture: str | None = None,
    ) -> Site:
        return cls(
            site_id=site_id,
            kind=kind,
            name=name,
            province=province,
            regency=regency,
            province_name=province_name or "",
            regency_name=regency_name or "",
            address=address or "",
            timezone=zone_for(province, timezone),
            lat=lat,
            lon=lon,
            required_guards=required_guards or 0,
            posture=posture or "overt",
            occurred_at=occurred_at,
        )

    @event("SiteRegistered")
    def __init__(
        self,
        site_id: str,
        kind: str,
        name: str,
        province: str,
        regency: str,
        province_name: str,
        regency_name: str,
        address: str,
        timezone: str,
        lat: float | None,
        lon: float | None,
        required_guards: int,
        posture: str,
        occurred_at: datetime,
    ) -> None:
        self.site_id = site_id
        self.kind = kind
        self.name = name
        self.province = province
        self.regency = regency
        self.timezone = timezone
        self.posture = posture
        self.required_guards = required_guards
        self.checkin_interval_minutes: int | None = None
        self.patrol_interval_minutes: int | None = None
        self.alert_level = "normal"
        self.decommissioned = False
        self.on_duty = None
        self.past_shifts = set()

    def require_active(self) -> None:
        if self.decommissioned:
            raise SiteDecommissioned(
                f"site {self.site_id} was decommissioned", site_id=self.site_id
            )

    def update(self, changes: dict[str, Any], occurred_at: datetime) -> None:
        """Changes descriptive fields; the site's id, kind and region stay."""
        self.require_active()
        unknown = sorted(set(changes) - set(UPDATABLE))
        if unknown:
            raise InvalidValue(unknown[0], "cannot be changed by an update")
        if not changes:
            raise InvalidValue("changes", "must name at least one field")
        if "name" in changes and not changes["name"]:
            raise InvalidValue("name", "must not be empty")
        normal = dict(changes)
        for key in ("address", "province_name", "regency_name"):
            if key in normal:
                normal[key] = normal[key] or ""
        if "posture" in normal:
            normal["posture"] = normal["posture"] or "overt"
        self._updated(normal, occurred_at)

    @event("SiteUpdated")
    def _updated(self, changes: dict[str, Any], occurred_at: datetime) -> None:
        for key in ("name", "posture"):
            if key in changes:
                setattr(self, key, changes[key])

    def set_guard_requirement(
        self,
        required_guards: int,
        checkin_interval_minutes: int | None,
        patrol_interval_minutes: int | None,
        occurred_at: datetime,
    ) -> None:
        self.require_active()
        self._requirement_set(
            required_guards,
            checkin_interval_minutes,
            patrol_interval_minutes,
            occurred_at,
        )

    @event("GuardRequirementSet")
    def _requirement_set(
        self,
        required_guards: int,
        checkin_interval_minutes: int | None,
        patrol_interval_minutes: int | None,
        occurred_at: datetime,
    ) -> None:
        self.required_guards = required_guards
        self.checkin_interval_minutes = checkin_interval_minutes
        self.patrol_interval_minutes = patrol_interval_minutes

    def change_alert_level(
        self, level: str, reason: str, occurred_at: datetime
    ) -> None:
        self.require_active()
        self._alert_level_changed(level, reason, occurred_at)

    @event("AlertLevelChanged")
    def _alert_level_changed(
        self, level: str, reason: str, occurred_at: datetime
    ) -> None:
        self.alert_level = level

    def decommission(self, reason: str, occurred_at: datetime) -> None:
        self.require_active()
        self._decommissioned(reason, occurred_at)

    @event("SiteDecommissioned")
    def _decommissioned(self, reason: str, occurred_at: datetime) -> None:
        self.decommissioned = True
