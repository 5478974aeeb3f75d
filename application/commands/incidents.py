"""Incidents: report and the response that follows (field, ops)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from application.commands.base import Answer, Commands, uuid_of
from application.writes import Context
from domain.incident import Incident


class IncidentCommands(Commands):
    def report_incident(self, ctx: Context, **fields: Any) -> Answer:
        def act() -> tuple[str, list[Incident]]:
            when = self.field_time(fields.get("occurred_at"))
            if fields.get("site_id") is not None:
                self.site(fields["site_id"], copy=False)
            self.require_all(
                "unit", fields.get("involved_unit_ids"), "involved_unit_ids"
            )
            self.require_all(
                "personnel",
                fields.get("involved_personnel_ids"),
                "involved_personnel_ids",
            )
            incident = Incident.report(
                when, **{k: v for k, v in fields.items() if k != "occurred_at"}
            )
            return str(incident.id), [incident]

        return self.execute(ctx, "report_incident", fields, act)

    def _on_incident(
        self,
        ctx: Context,
        command: str,
        incident_id: str,
        args: dict[str, Any],
        step: Callable[[Incident], None],
    ) -> Answer:
        def act() -> tuple[str, list[Incident]]:
            incident = self.load(
                Incident,
                uuid_of(incident_id, "incident_id"),
                "incident_id",
                incident_id,
            )
            step(incident)
            return str(incident.id), [incident]

        return self.execute(ctx, command, {"incident_id": incident_id, **args}, act)

    def acknowledge_incident(
        self, ctx: Context, incident_id: str, occurred_at: object, by: object = None
    ) -> Answer:
        return self._on_incident(
            ctx,
            "acknowledge_incident",
            incident_id,
            {"by": by, "occurred_at": occurred_at},
            lambda i: i.acknowledge(by, self.field_time(occurred_at)),
        )

    def request_backup(
        self,
        ctx: Context,
        incident_id: str,
        occurred_at: object,
        units: object = None,
        notes: object = None,
    ) -> Answer:
        def step(incident: Incident) -> None:
            self.require_all("unit", units, "units")
            incident.request_backup(units, notes, self.field_time(occurred_at))

        return self._on_incident(
            ctx,
            "request_backup",
            incident_id,
            {"units": units, "notes": notes, "occurred_at": occurred_at},
            step,
        )

    def record_backup_arrival(
        self,
        ctx: Context,
        incident_id: str,
        occurred_at: object,
        unit_id: object = None,
    ) -> Answer:
        def step(incident: Incident) -> None:
            if unit_id is not None:
                self.require("unit", unit_id, "unit_id")
            incident.record_backup_arrival(unit_id, self.field_time(occurred_at))

        return self._on_incident(
            ctx,
            "record_backup_arrival",
            incident_id,
            {"unit_id": unit_id, "occurred_at": occurred_at},
            step,
        )

    def escalate_incident(
        self,
        ctx: Context,
        incident_id: str,
        severity: object,
        reason: object,
        occurred_at: object,
    ) -> Answer:
        return self._on_incident(
            ctx,
            "escalate_incident",
            incident_id,
            {"severity": severity, "reason": reason, "occurred_at": occurred_at},
            lambda i: i.escalate(severity, reason, self.field_time(occurred_at)),
        )

    def add_incident_note(
        self, ctx: Context, incident_id: str, text: object, occurred_at: object
    ) -> Answer:
        return self._on_incident(
            ctx,
            "add_incident_note",
            incident_id,
            {"text": text, "occurred_at": occurred_at},
            lambda i: i.add_note(text, self.field_time(occurred_at)),
        )

    def resolve_incident(
        self, ctx: Context, incident_id: str, resolution: object, occurred_at: object
    ) -> Answer:
        return self._on_incident(
            ctx,
            "resolve_incident",
            incident_id,
            {"resolution": resolution, "occurred_at": occurred_at},
            lambda i: i.resolve(resolution, self.field_time(occurred_at)),
        )

    def close_incident(
        self, ctx: Context, incident_id: str, occurred_at: object
    ) -> Answer:
        return self._on_incident(
            ctx,
            "close_incident",
            incident_id,
            {"occurred_at": occurred_at},
            lambda i: i.close(self.field_time(occurred_at)),
        )

    def reopen_incident(
        self, ctx: Context, incident_id: str, reason: object, occurred_at: object
    ) -> Answer:
        return self._on_incident(
            ctx,
            "reopen_incident",
            incident_id,
            {"reason": reason, "occurred_at": occurred_at},
            lambda i: i.reopen(reason, self.field_time(occurred_at)),
        )
