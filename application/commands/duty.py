"""Guard duty, check-ins and logistics custody at a site (field, ops)."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from application.commands.base import Answer, Commands
from application.writes import Context
from domain.checkin import CheckIn, CheckOut
from domain.custody import LogisticsMovement, SealCheck
from domain.site import Site


class DutyCommands(Commands):
    def _roster(self, commander: object, roster: object, prefix: str) -> None:
        self.require("personnel", commander, f"{prefix}commander_id")
        self.require_all("personnel", roster, f"{prefix}roster")

    def start_shift(
        self,
        ctx: Context,
        site_id: str,
        unit_id: object,
        commander_id: object,
        roster: object,
        occurred_at: object,
    ) -> Answer:
        shift_id = str(uuid4())

        def act() -> tuple[str, list[Site]]:
            site = self.site(site_id)
            self.require("unit", unit_id, "unit_id")
            self._roster(commander_id, roster, "")
            site.start_shift(
                shift_id, unit_id, commander_id, roster, self.field_time(occurred_at)
            )
            return shift_id, [site]

        args = {
            "site_id": site_id,
            "unit_id": unit_id,
            "commander_id": commander_id,
            "roster": roster,
            "occurred_at": occurred_at,
        }
        return self.execute(ctx, "start_shift", args, act)

    def hand_over(
        self, ctx: Context, site_id: str, shift_id: str, **fields: Any
    ) -> Answer:
        incoming_shift_id = str(uuid4())

        def act() -> tuple[str, list[Site]]:
            site = self.site(site_id)
            if fields.get("incoming_unit_id") is not None:
                self.require("unit", fields["incoming_unit_id"], "incoming_unit_id")
            self._roster(
                fields.get("incoming_commander_id"),
                fields.get("incoming_roster"),
                "incoming_",
            )
            when = self.field_time(fields.get("occurred_at"))
            site.hand_over(
                shift_id, incoming_shift_id, **{**fields, "occurred_at": when}
            )
            return incoming_shift_id, [site]

        args = {"site_id": site_id, "shift_id": shift_id, **fields}
        return self.execute(ctx, "hand_over", args, act)

    def end_shift(
        self,
        ctx: Context,
        site_id: str,
        shift_id: str,
        occurred_at: object,
        notes: object = None,
    ) -> Answer:
        def act() -> tuple[str, list[Site]]:
            site = self.site(site_id)
            site.end_shift(shift_id, notes, self.field_time(occurred_at))
            return shift_id, [site]

        args = {
            "site_id": site_id,
            "shift_id": shift_id,
            "notes": notes,
            "occurred_at": occurred_at,
        }
        return self.execute(ctx, "end_shift", args, act)

    def _active_site(self, site_id: str) -> str:
        site = self.site(site_id, copy=False)
        site._require_active()
        return site.site_id

    def check_in(self, ctx: Context, site_id: str, **fields: Any) -> Answer:
        def act() -> tuple[str, list[CheckIn]]:
            sid = self._active_site(site_id)
            self.require("personnel", fields.get("personnel_id"), "personnel_id")
            when = self.field_time(fields.get("occurred_at"))
            record = CheckIn.record(sid, **{**fields, "occurred_at": when})
            return str(record.id), [record]

        return self.execute(ctx, "check_in", {"site_id": site_id, **fields}, act)

    def check_out(
        self, ctx: Context, site_id: str, personnel_id: object, occurred_at: object
    ) -> Answer:
        def act() -> tuple[str, list[CheckOut]]:
            sid = self._active_site(site_id)
            self.require("personnel", personnel_id, "personnel_id")
            record = CheckOut.record(sid, personnel_id, self.field_time(occurred_at))
            return str(record.id), [record]

        args = {
            "site_id": site_id,
            "personnel_id": personnel_id,
            "occurred_at": occurred_at,
        }
        return self.execute(ctx, "check_out", args, act)

    def record_seals(self, ctx: Context, site_id: str, **fields: Any) -> Answer:
        def act() -> tuple[str, list[SealCheck]]:
            sid = self._active_site(site_id)
            when = self.field_time(fields.get("occurred_at"))
            record = SealCheck.record(sid, **{**fields, "occurred_at": when})
            return str(record.id), [record]

        return self.execute(ctx, "record_seals", {"site_id": site_id, **fields}, act)

    def record_logistics_movement(
        self, ctx: Context, site_id: str, **fields: Any
    ) -> Answer:
        def act() -> tuple[str, list[LogisticsMovement]]:
            sid = self._active_site(site_id)
            self.require_all("personnel", fields.get("escort_ids"), "escort_ids")
            when = self.field_time(fields.get("occurred_at"))
            record = LogisticsMovement.record(sid, **{**fields, "occurred_at": when})
            return str(record.id), [record]

        args = {"site_id": site_id, **fields}
        return self.execute(ctx, "record_logistics_movement", args, act)
