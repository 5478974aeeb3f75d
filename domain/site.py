"""Site: an election site under guard, with its guard requirement and alert level."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain import values as v
from domain.duty import GuardDuty
from domain.errors import Conflict, InvalidValue
from domain.regions import ZONES, zone_of

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


def site_fields(**raw: Any) -> dict[str, Any]:
    """Checks the fields of a site registration and fills in the time zone."""
    province = v.slug(raw.get("province"), "province")
    zone = raw.get("timezone") or zone_of(province)
    if zone is None:
        raise InvalidValue(
            "timezone", "unknown province: give timezone (WIB, WITA or WIT)"
        )
    return {
        "site_id": v.slug(raw.get("site_id"), "site_id"),
        "kind": v.choice(raw.get("kind"), "kind", KINDS),
        "name": v.text(raw.get("name"), "name", limit=200),
        "province": province,
        "regency": v.slug(raw.get("regency"), "regency"),
        "province_name": v.text(
            raw.get("province_name"), "province_name", required=False, limit=200
        ),
        "regency_name": v.text(
            raw.get("regency_name"), "regency_name", required=False, limit=200
        ),
        "address": v.text(raw.get("address"), "address", required=False, limit=500),
        "timezone": v.choice(zone, "timezone", ZONES),
        "lat": v.coordinate(raw.get("lat"), "lat", limit=90),
        "lon": v.coordinate(raw.get("lon"), "lon", limit=180),
        "required_guards": v.integer(
            raw.get("required_guards", 0), "required_guards", low=0, high=10_000
        ),
        "posture": v.choice(raw.get("posture") or "overt", "posture", POSTURES),
    }


class Site(GuardDuty):
    @staticmethod
    def create_id(site_id: str) -> UUID:
        return v.named_id("site", site_id)

    @classmethod
    def register(cls, occurred_at: datetime, **raw: Any) -> Site:
        fields = site_fields(**raw)
        return cls(occurred_at=v.aware(occurred_at, "occurred_at"), **fields)

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

    def _require_active(self) -> None:
        if self.decommissioned:
            raise SiteDecommissioned(
                f"site {self.site_id} was decommissioned", site_id=self.site_id
            )

    def update(self, changes: dict[str, Any], occurred_at: datetime) -> None:
        self._require_active()
        unknown = sorted(set(changes) - set(UPDATABLE))
        if unknown:
            raise InvalidValue(unknown[0], "cannot be changed by an update")
        if not changes:
            raise InvalidValue("changes", "must name at least one field")
        merged = site_fields(
            **{
                "site_id": self.site_id,
                "kind": self.kind,
                "name": self.name,
                "province": self.province,
                "regency": self.regency,
                "timezone": self.timezone,
                **changes,
            }
        )
        self._updated(
            {k: merged[k] for k in changes}, v.aware(occurred_at, "occurred_at")
        )

    @event("SiteUpdated")
    def _updated(self, changes: dict[str, Any], occurred_at: datetime) -> None:
        for key in ("name", "posture"):
            if key in changes:
                setattr(self, key, changes[key])

    def set_guard_requirement(
        self,
        required_guards: object,
        checkin_interval_minutes: object,
        patrol_interval_minutes: object,
        occurred_at: datetime,
    ) -> None:
        self._require_active()
        self._requirement_set(
            v.integer(required_guards, "required_guards", low=0, high=10_000),
            v.optional_integer(
                checkin_interval_minutes,
                "checkin_interval_minutes",
                low=1,
                high=7 * 24 * 60,
            ),
            v.optional_integer(
                patrol_interval_minutes,
                "patrol_interval_minutes",
                low=1,
                high=30 * 24 * 60,
            ),
            v.aware(occurred_at, "occurred_at"),
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
        self, level: object, reason: object, occurred_at: datetime
    ) -> None:
        self._require_active()
        self._alert_level_changed(
            v.choice(level, "level", ALERT_LEVELS),
            v.text(reason, "reason", limit=2000),
            v.aware(occurred_at, "occurred_at"),
        )

    @event("AlertLevelChanged")
    def _alert_level_changed(
        self, level: str, reason: str, occurred_at: datetime
    ) -> None:
        self.alert_level = level

    def decommission(self, reason: object, occurred_at: datetime) -> None:
        self._require_active()
        self._decommissioned(
            v.text(reason, "reason", limit=2000), v.aware(occurred_at, "occurred_at")
        )

    @event("SiteDecommissioned")
    def _decommissioned(self, reason: str, occurred_at: datetime) -> None:
        self.decommissioned = True
