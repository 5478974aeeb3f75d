"""Reference data: sites, units, personnel and assignment orders (ops)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from application.commands.base import Answer, Commands, uuid_of
from application.writes import Context
from domain.assignment import Assignment
from domain.errors import AlreadyRegistered
from domain.site import Site
from domain.unit import Personnel, Unit


class ReferenceCommands(Commands):
    def _register_new(self, kind: str, ident: UUID, label: str) -> None:
        if self.exists(ident):
            raise AlreadyRegistered(f"{kind} {label} is already registered", id=label)

    def register_site(self, ctx: Context, **fields: Any) -> Answer:
        def act() -> tuple[str, list[Site]]:
            when = self.field_time(fields.get("occurred_at"))
            site = Site.register(
                when, **{k: v for k, v in fields.items() if k != "occurred_at"}
            )
            self._register_new("site", site.id, site.site_id)
            return site.site_id, [site]

        return self.execute(ctx, "register_site", fields, act)

    def update_site(
        self,
        ctx: Context,
        site_id: str,
        changes: dict[str, Any],
        occurred_at: object = None,
    ) -> Answer:
        def act() -> tuple[str, list[Site]]:
            site = self.site(site_id)
            site.update(changes, self.field_time(occurred_at))
            return site.site_id, [site]

        return self.execute(ctx, "update_site", {"site_id": site_id, **changes}, act)

    def set_guard_requirement(
        self,
        ctx: Context,
        site_id: str,
        required_guards: object,
        checkin_interval_minutes: object = None,
        patrol_interval_minutes: object = None,
        occurred_at: object = None,
    ) -> Answer:
        def act() -> tuple[str, list[Site]]:
            site = self.site(site_id)
            site.set_guard_requirement(
                required_guards,
                checkin_interval_minutes,
                patrol_interval_minutes,
                self.field_time(occurred_at),
            )
            return site.site_id, [site]

        args = {
            "site_id": site_id,
            "required_guards": required_guards,
            "checkin": checkin_interval_minutes,
            "patrol": patrol_interval_minutes,
            "occurred_at": occurred_at,
        }
        return self.execute(ctx, "set_guard_requirement", args, act)

    def change_alert_level(
        self,
        ctx: Context,
        site_id: str,
        level: object,
        reason: object,
        occurred_at: object,
    ) -> Answer:
        def act() -> tuple[str, list[Site]]:
            site = self.site(site_id)
            site.change_alert_level(level, reason, self.field_time(occurred_at))
            return site.site_id, [site]

        args = {
            "site_id": site_id,
            "level": level,
            "reason": reason,
            "occurred_at": occurred_at,
        }
        return self.execute(ctx, "change_alert_level", args, act)

    def decommission_site(
        self, ctx: Context, site_id: str, reason: object, occurred_at: object = None
    ) -> Answer:
        def act() -> tuple[str, list[Site]]:
            site = self.site(site_id)
            site.decommission(reason, self.field_time(occurred_at))
            return site.site_id, [site]

        args = {"site_id": site_id, "reason": reason, "occurred_at": occurred_at}
        return self.execute(ctx, "decommission_site", args, act)

    def register_unit(self, ctx: Context, **fields: Any) -> Answer:
        def act() -> tuple[str, list[Unit]]:
            when = self.field_time(fields.get("occurred_at"))
            unit = Unit.register(
                when, **{k: v for k, v in fields.items() if k != "occurred_at"}
            )
            self._register_new("unit", unit.id, unit.unit_id)
            return unit.unit_id, [unit]

        return self.execute(ctx, "register_unit", fields, act)

    def register_personnel(self, ctx: Context, **fields: Any) -> Answer:
        def act() -> tuple[str, list[Personnel]]:
            when = self.field_time(fields.get("occurred_at"))
            person = Personnel.register(
                when, **{k: v for k, v in fields.items() if k != "occurred_at"}
            )
            self.require("unit", person.unit_id, "unit_id")
            self._register_new("personnel", person.id, person.personnel_id)
            return person.personnel_id, [person]

        return self.execute(ctx, "register_personnel", fields, act)

    def issue_assignment(self, ctx: Context, **fields: Any) -> Answer:
        def act() -> tuple[str, list[Assignment]]:
            when = self.field_time(fields.get("occurred_at"))
            order = Assignment.issue(
                when, **{k: v for k, v in fields.items() if k != "occurred_at"}
            )
            self.require("unit", order.unit_id, "unit_id")
            for i, sid in enumerate(order.sites):
                self.site(
                    sid, "site_id" if order.site_id else f"route[{i}]", copy=False
                )
            self.require_all("personnel", fields.get("personnel_ids"), "personnel_ids")
            return str(order.id), [order]

        return self.execute(ctx, "issue_assignment", fields, act)

    def revoke_assignment(
        self,
        ctx: Context,
        assignment_id: str,
        reason: object,
        occurred_at: object = None,
    ) -> Answer:
        def act() -> tuple[str, list[Assignment]]:
            order = self.load(
                Assignment,
                uuid_of(assignment_id, "assignment_id"),
                "assignment_id",
                assignment_id,
            )
            order.revoke(reason, self.field_time(occurred_at))
            return str(order.id), [order]

        args = {
            "assignment_id": assignment_id,
            "reason": reason,
            "occurred_at": occurred_at,
        }
        return self.execute(ctx, "revoke_assignment", args, act)
