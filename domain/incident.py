"""Incident: a state machine from report through response to closure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

from domain.errors import Conflict, InvalidValue

CATEGORIES = (
    "provocation",
    "intimidation",
    "terrorism_threat",
    "riot",
    "suspicious_activity",
    "logistics_damage",
    "unauthorized_access",
    "fire",
    "protest",
    "neutrality_violation",
    "other",
)
OPEN_STATES = ("reported", "acknowledged")


class IncidentNotOpen(Conflict):
    """The incident is resolved or closed; reopen it first."""


class IncidentAlreadyAcknowledged(Conflict):
    """The incident was acknowledged before."""


class IncidentAlreadyResolved(Conflict):
    """The incident was resolved before."""


class IncidentNotResolved(Conflict):
    """Only a resolved incident can be closed."""


class IncidentAlreadyClosed(Conflict):
    """The incident was closed before."""


class IncidentStillOpen(Conflict):
    """Only a resolved or closed incident can be reopened."""


class BackupNotRequested(Conflict):
    """Backup cannot arrive before it was requested."""


class EscalationMustRaiseSeverity(Conflict):
    """An escalation raises the severity above the current one."""


class Incident(Aggregate):
    @staticmethod
    def create_id() -> UUID:
        return uuid4()

    @classmethod
    def report(
        cls,
        category: str,
        severity: int,
        description: str,
        occurred_at: datetime,
        site_id: str | None = None,
        location: str | None = None,
        reporter: str | None = None,
        involved_unit_ids: Sequence[str] | None = None,
        involved_personnel_ids: Sequence[str] | None = None,
        attachments: Sequence[dict[str, Any]] | None = None,
    ) -> Incident:
        if site_id is None and not location:
            raise InvalidValue("site_id", "give a site_id or a location")
        return cls(
            site_id=site_id,
            location=location or "",
            category=category,
            severity=severity,
            description=description,
            reporter=reporter or "",
            involved_unit_ids=list(involved_unit_ids or []),
            involved_personnel_ids=list(involved_personnel_ids or []),
            occurred_at=occurred_at,
            attachments=list(attachments or []),
        )

    @event("IncidentReported")
    def __init__(
        self,
        site_id: str | None,
        location: str,
        category: str,
        severity: int,
        description: str,
        reporter: str,
        involved_unit_ids: list[str],
        involved_personnel_ids: list[str],
        occurred_at: datetime,
        attachments: list[dict[str, Any]] | None = None,
    ) -> None:
        self.site_id = site_id
        self.status = "reported"
        self.severity = severity
        self.backup_requested = False

    def _require_open(self) -> None:
        if self.status not in OPEN_STATES:
            raise IncidentNotOpen(f"the incident is {self.status}", status=self.status)

    def acknowledge(self, by: str | None, occurred_at: datetime) -> None:
        if self.status == "acknowledged":
            raise IncidentAlreadyAcknowledged("the incident was already acknowledged")
        self._require_open()
        self._acknowledged(by or "", occurred_at)

    @event("IncidentAcknowledged")
    def _acknowledged(self, by: str, occurred_at: datetime) -> None:
        self.status = "acknowledged"

    def request_backup(
        self, units: Sequence[str] | None, notes: str | None, occurred_at: datetime
    ) -> None:
        self._require_open()
        self._backup_requested(list(units or []), notes or "", occurred_at)

    @event("BackupRequested")
    def _backup_requested(
        self, units: list[str], notes: str, occurred_at: datetime
    ) -> None:
        self.backup_requested = True

    def record_backup_arrival(self, unit_id: str | None, occurred_at: datetime) -> None:
        self._require_open()
        if not self.backup_requested:
            raise BackupNotRequested("no backup was requested for this incident")
        self._backup_arrived(unit_id, occurred_at)

    @event("BackupArrived")
    def _backup_arrived(self, unit_id: str | None, occurred_at: datetime) -> None:
        pass

    def escalate(self, level: int, reason: str, occurred_at: datetime) -> None:
        self._require_open()
        if level <= self.severity:
            raise EscalationMustRaiseSeverity(
                f"severity is {self.severity}; an escalation must raise it",
                severity=self.severity,
            )
        self._escalated(level, reason, occurred_at)

    @event("IncidentEscalated")
    def _escalated(self, severity: int, reason: str, occurred_at: datetime) -> None:
        self.severity = severity

    def add_note(
        self,
        text: str,
        occurred_at: datetime,
        attachments: Sequence[dict[str, Any]] | None = None,
    ) -> None:
        if self.status == "closed":
            raise IncidentAlreadyClosed(
                "the incident is closed; reopen it to add notes"
            )
        self._note_added(text, occurred_at, list(attachments or []))

    @event("IncidentNoteAdded")
    def _note_added(
        self,
        text: str,
        occurred_at: datetime,
        attachments: list[dict[str, Any]] | None = None,
    ) -> None:
        pass

    def resolve(self, resolution: str, occurred_at: datetime) -> None:
        if self.status in ("resolved", "closed"):
            raise IncidentAlreadyResolved(f"the incident is already {self.status}")
        self._resolved(resolution, occurred_at)

    @event("IncidentResolved")
    def _resolved(self, resolution: str, occurred_at: datetime) -> None:
        self.status = "resolved"

    def close(self, occurred_at: datetime) -> None:
        if self.status == "closed":
            raise IncidentAlreadyClosed("the incident was already closed")
        if self.status != "resolved":
            raise IncidentNotResolved("resolve the incident before closing it")
        self._closed(occurred_at)

    @event("IncidentClosed")
    def _closed(self, occurred_at: datetime) -> None:
        self.status = "closed"

    def reopen(self, reason: str, occurred_at: datetime) -> None:
        if self.status in OPEN_STATES:
            raise IncidentStillOpen("the incident is still open")
        self._reopened(reason, occurred_at)

    @event("IncidentReopened")
    def _reopened(self, reason: str, occurred_at: datetime) -> None:
        self.status = "acknowledged"
        self.backup_requested = False
