"""Neutrality pledges, concerns and Bawaslu reviews, and corrections of entries."""

from __future__ import annotations

from typing import Any

from application.commands.base import Answer, Commands, uuid_of
from application.writes import Context
from domain.correction import Correction
from domain.errors import NotFound
from domain.neutrality import NeutralityConcern, NeutralityPledge


class NeutralityCommands(Commands):
    def find_record(self, event_id: str) -> dict[str, Any] | None:
        raise NotImplementedError

    def record_pledge(self, ctx: Context, **fields: Any) -> Answer:
        def act() -> tuple[str, list[NeutralityPledge]]:
            when = self.field_time(fields.get("occurred_at"))
            pledge = NeutralityPledge.record(
                when, **{k: v for k, v in fields.items() if k != "occurred_at"}
            )
            if pledge.unit_id:
                self.require("unit", pledge.unit_id, "unit_id")
            if pledge.personnel_id:
                self.require("personnel", pledge.personnel_id, "personnel_id")
            return str(pledge.id), [pledge]

        return self.execute(ctx, "record_pledge", fields, act)

    def report_concern(self, ctx: Context, **fields: Any) -> Answer:
        def act() -> tuple[str, list[NeutralityConcern]]:
            when = self.field_time(fields.get("occurred_at"))
            concern = NeutralityConcern.report(
                when, **{k: v for k, v in fields.items() if k != "occurred_at"}
            )
            if concern.reported_unit_id:
                self.require("unit", concern.reported_unit_id, "reported_unit_id")
            if concern.reported_personnel_id:
                self.require(
                    "personnel", concern.reported_personnel_id, "reported_personnel_id"
                )
            if fields.get("site_id") is not None:
                self.site(fields["site_id"], copy=False)
            return str(concern.id), [concern]

        return self.execute(ctx, "report_concern", fields, act)

    def review_concern(self, ctx: Context, concern_id: str, **fields: Any) -> Answer:
        def act() -> tuple[str, list[NeutralityConcern]]:
            concern = self.load(
                NeutralityConcern,
                uuid_of(concern_id, "concern_id"),
                "concern_id",
                concern_id,
            )
            when = self.field_time(fields.get("occurred_at"))
            concern.review(**{**fields, "occurred_at": when})
            return str(concern.id), [concern]

        args = {"concern_id": concern_id, **fields}
        return self.execute(ctx, "review_concern", args, act)

    def correct_entry(
        self,
        ctx: Context,
        event_id: str,
        reason: object,
        changes: object,
        occurred_at: object = None,
    ) -> Answer:
        def act() -> tuple[str, list[Correction]]:
            original = self.find_record(str(event_id))
            if original is None:
                raise NotFound(
                    f"unknown event: {event_id}", field="event_id", id=str(event_id)
                )
            fields = dict(original["data"])
            fields["occurred_at"] = original["occurred_at"]
            correction = Correction.record(
                event_id=original["event_id"],
                event_type=original["type"],
                aggregate_id=original["aggregate_id"],
                original=fields,
                reason=reason,
                changes=changes,
                occurred_at=self.field_time(occurred_at),
            )
            return str(correction.id), [correction]

        args = {
            "event_id": event_id,
            "reason": reason,
            "changes": changes,
            "occurred_at": occurred_at,
        }
        return self.execute(ctx, "correct_entry", args, act)
