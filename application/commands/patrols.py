"""Patrols: planning, start, site visits, end (field, ops)."""

from __future__ import annotations

from typing import Any

from application.commands.base import Answer, Commands, uuid_of
from application.writes import Context
from domain.patrol import Patrol


class PatrolCommands(Commands):
    def _patrol(self, patrol_id: str) -> Patrol:
        return self.load(
            Patrol, uuid_of(patrol_id, "patrol_id"), "patrol_id", patrol_id
        )

    def plan_patrol(self, ctx: Context, **fields: Any) -> Answer:
        def act() -> tuple[str, list[Patrol]]:
            when = self.field_time(fields.get("occurred_at"))
            patrol = Patrol.plan(
                when, **{k: v for k, v in fields.items() if k != "occurred_at"}
            )
            self.require("personnel", fields.get("leader_id"), "leader_id")
            self.require_all("unit", fields.get("unit_ids"), "unit_ids")
            for i, site_id in enumerate(patrol.route):
                self.site(site_id, f"route[{i}]", copy=False)
            return str(patrol.id), [patrol]

        return self.execute(ctx, "plan_patrol", fields, act)

    def start_patrol(self, ctx: Context, patrol_id: str, occurred_at: object) -> Answer:
        def act() -> tuple[str, list[Patrol]]:
            patrol = self._patrol(patrol_id)
            patrol.start(self.field_time(occurred_at))
            return str(patrol.id), [patrol]

        args = {"patrol_id": patrol_id, "occurred_at": occurred_at}
        return self.execute(ctx, "start_patrol", args, act)

    def record_visit(
        self, ctx: Context, patrol_id: str, site_id: str, **fields: Any
    ) -> Answer:
        def act() -> tuple[str, list[Patrol]]:
            patrol = self._patrol(patrol_id)
            site = self.site(site_id, copy=False)
            arrived = self.field_time(fields.get("arrived_at"), "arrived_at")
            patrol.visit(site.site_id, **{**fields, "arrived_at": arrived})
            return str(patrol.id), [patrol]

        args = {"patrol_id": patrol_id, "site_id": site_id, **fields}
        return self.execute(ctx, "record_visit", args, act)

    def end_patrol(
        self, ctx: Context, patrol_id: str, occurred_at: object, summary: object = None
    ) -> Answer:
        def act() -> tuple[str, list[Patrol]]:
            patrol = self._patrol(patrol_id)
            patrol.end(summary, self.field_time(occurred_at))
            return str(patrol.id), [patrol]

        args = {"patrol_id": patrol_id, "summary": summary, "occurred_at": occurred_at}
        return self.execute(ctx, "end_patrol", args, act)
