"""Incidents: the report, and the response that follows (field, ops)."""

from __future__ import annotations

from typing import ClassVar

from application.commands.fields import (
    Attachments,
    Aware,
    Category,
    IncidentRef,
    OptionalLine,
    OptionalName,
    OptionalText,
    Reason,
    Resolution,
    Severity,
    SiteRef,
    SomePersonRefs,
    SomeUnitRefs,
    Text,
    UnitRef,
)
from application.commands.registry import Command, Decision, Place
from application.unit_of_work import UnitOfWork, server_id
from domain.incident import Incident

RESPOND = "incident.write"


class ReportIncident(Command):
    """Reports an incident at a site or a free location."""

    path: ClassVar[str] = "/incidents"
    right: ClassVar[str] = RESPOND
    records: ClassVar[tuple[str, ...]] = ("IncidentReported",)
    tag: ClassVar[str] = "incidents"

    category: Category
    severity: Severity
    description: Text
    occurred_at: Aware
    site_id: SiteRef | None = None
    location: OptionalLine | None = None
    reporter: OptionalName | None = None
    involved_unit_ids: SomeUnitRefs | None = None
    involved_personnel_ids: SomePersonRefs | None = None
    attachments: Attachments | None = None

    def own_places(self) -> list[Place]:
        # Without a site, a report belongs to no region: unscoped keys only.
        return [] if self.site_id is not None else [(None, None)]

    def decide(self, uow: UnitOfWork) -> Decision:
        when = uow.field_time(self.occurred_at)
        if self.site_id is not None:
            uow.site(self.site_id, change=False)
        uow.require("unit", self.involved_unit_ids, "involved_unit_ids")
        uow.require("personnel", self.involved_personnel_ids, "involved_personnel_ids")
        incident = Incident.report(
            **self.model_dump(exclude={"occurred_at", "attachments"}),
            occurred_at=when,
            attachments=uow.attachments(self.attachments),
        )
        return str(incident.id), [incident]


class _Step(Command):
    """A step of the response to a recorded incident."""

    right: ClassVar[str] = RESPOND
    tag: ClassVar[str] = "incidents"

    incident_id: IncidentRef

    def incident(self, uow: UnitOfWork) -> Incident:
        return uow.get(
            Incident,
            server_id(self.incident_id, "incident_id"),
            "incident_id",
            self.incident_id,
            change=True,
        )


class AcknowledgeIncident(_Step):
    """The command post has seen the incident and takes charge."""

    path: ClassVar[str] = "/incidents/{incident_id}/acknowledge"
    records: ClassVar[tuple[str, ...]] = ("IncidentAcknowledged",)

    occurred_at: Aware
    by: OptionalName | None = None

    def decide(self, uow: UnitOfWork) -> Decision:
        incident = self.incident(uow)
        incident.acknowledge(self.by, uow.field_time(self.occurred_at))
        return str(incident.id), [incident]


class RequestBackup(_Step):
    """Backup is asked for: which units, and why."""

    path: ClassVar[str] = "/incidents/{incident_id}/backup-requests"
    records: ClassVar[tuple[str, ...]] = ("BackupRequested",)

    occurred_at: Aware
    units: SomeUnitRefs | None = None
    notes: OptionalText | None = None

    def decide(self, uow: UnitOfWork) -> Decision:
        incident = self.incident(uow)
        uow.require("unit", self.units, "units")
        incident.request_backup(
            self.units, self.notes, uow.field_time(self.occurred_at)
        )
        return str(incident.id), [incident]


class RecordBackupArrival(_Step):
    """Backup has arrived."""

    path: ClassVar[str] = "/incidents/{incident_id}/backup-arrivals"
    records: ClassVar[tuple[str, ...]] = ("BackupArrived",)

    occurred_at: Aware
    unit_id: UnitRef | None = None

    def decide(self, uow: UnitOfWork) -> Decision:
        incident = self.incident(uow)
        uow.require("unit", self.unit_id, "unit_id")
        incident.record_backup_arrival(self.unit_id, uow.field_time(self.occurred_at))
        return str(incident.id), [incident]


class EscalateIncident(_Step):
    """The incident is graver than reported: a higher severity, and why."""

    path: ClassVar[str] = "/incidents/{incident_id}/escalations"
    records: ClassVar[tuple[str, ...]] = ("IncidentEscalated",)

    severity: Severity
    reason: Reason
    occurred_at: Aware

    def decide(self, uow: UnitOfWork) -> Decision:
        incident = self.incident(uow)
        incident.escalate(self.severity, self.reason, uow.field_time(self.occurred_at))
        return str(incident.id), [incident]


class AddIncidentNote(_Step):
    """A note on the incident's handling."""

    path: ClassVar[str] = "/incidents/{incident_id}/notes"
    records: ClassVar[tuple[str, ...]] = ("IncidentNoteAdded",)

    text: Text
    attachments: Attachments | None = None
    occurred_at: Aware

    def decide(self, uow: UnitOfWork) -> Decision:
        incident = self.incident(uow)
        incident.add_note(
            self.text,
            uow.field_time(self.occurred_at),
            uow.attachments(self.attachments),
        )
        return str(incident.id), [incident]


class ResolveIncident(_Step):
    """The incident is dealt with: how."""

    path: ClassVar[str] = "/incidents/{incident_id}/resolve"
    records: ClassVar[tuple[str, ...]] = ("IncidentResolved",)

    resolution: Resolution
    occurred_at: Aware

    def decide(self, uow: UnitOfWork) -> Decision:
        incident = self.incident(uow)
        incident.resolve(self.resolution, uow.field_time(self.occurred_at))
        return str(incident.id), [incident]


class CloseIncident(_Step):
    """A resolved incident is closed."""

    path: ClassVar[str] = "/incidents/{incident_id}/close"
    records: ClassVar[tuple[str, ...]] = ("IncidentClosed",)

    occurred_at: Aware

    def decide(self, uow: UnitOfWork) -> Decision:
        incident = self.incident(uow)
        incident.close(uow.field_time(self.occurred_at))
        return str(incident.id), [incident]


class ReopenIncident(_Step):
    """A resolved or closed incident needs handling again: why."""

    path: ClassVar[str] = "/incidents/{incident_id}/reopen"
    records: ClassVar[tuple[str, ...]] = ("IncidentReopened",)

    reason: Reason
    occurred_at: Aware

    def decide(self, uow: UnitOfWork) -> Decision:
        incident = self.incident(uow)
        incident.reopen(self.reason, uow.field_time(self.occurred_at))
        return str(incident.id), [incident]
