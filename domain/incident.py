"""Incident: a state machine from report through response to closure."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

from domain import values as v
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


def severity(value: object, field: str = "severity") -> int:
    return v.integer(value, field, low=1, high=4)


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
    def report(cls, occurred_at: datetime, **raw: Any) -> Incident:
        site_id, location = raw.get("site_id"), raw.get("location")
        if site_id is None and not location:
            raise InvalidValue("site_id", "give a site_id or a location")
        return cls(
            site_id=None if site_id is None else v.slug(site_id, "site_id"),
            location=v.text(location, "location", required=False, limit=500),
            category=v.choice(raw.get("category"), "category", CATEGORIES),
            severity=severity(raw.get("severity")),
            description=v.text(raw.get("description"), "description"),
            reporter=v.text(raw.get("reporter"), "reporter", required=False, limit=200),
            involved_unit_ids=v.slugs(
                raw.get("involved_unit_ids") or [],
                "involved_unit_ids",
                allow_empty=True,
            ),
            involved_personnel_ids=v.slugs(
                raw.get("involved_personnel_ids") or [],
                "involved_personnel_ids",
                allow_empty=True,
            ),
            occurred_at=v.aware(occurred_at, "occurred_at"),
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
    ) -> None:
        self.site_id = site_id
        self.status = "reported"
        self.severity = severity
        self.backup_requested = False

    def _require_open(self) -> None:
        if self.status not in OPEN_STATES:
            raise IncidentNotOpen(f"the incident is {self.status}", status=self.status)

    def acknowledge(self, by: object, occurred_at: datetime) -> None:
        who = v.text(by, "by", required=False, limit=200)
        when = v.aware(occurred_at, "occurred_at")
        if self.status == "acknowledged":
            raise IncidentAlreadyAcknowledged("the incident was already acknowledged")
        self._require_open()
        self._acknowledged(who, when)

    @event("IncidentAcknowledged")
    def _acknowledged(self, by: str, occurred_at: datetime) -> None:
        self.status = "acknowledged"

    def request_backup(
        self, units: object, notes: object, occurred_at: datetime
    ) -> None:
        unit_ids = v.slugs(units or [], "units", allow_empty=True)
        text = v.text(notes, "notes", required=False)
        when = v.aware(occurred_at, "occurred_at")
        self._require_open()
        self._backup_requested(unit_ids, text, when)

    @event("BackupRequested")
    def _backup_requested(
        self, units: list[str], notes: str, occurred_at: datetime
    ) -> None:
        self.backup_requested = True

    def record_backup_arrival(self, unit_id: object, occurred_at: datetime) -> None:
        unit = None if unit_id is None else v.slug(unit_id, "unit_id")
        when = v.aware(occurred_at, "occurred_at")
        self._require_open()
        if not self.backup_requested:
            raise BackupNotRequested("no backup was requested for this incident")
        self._backup_arrived(unit, when)

    @event("BackupArrived")
    def _backup_arrived(self, unit_id: str | None, occurred_at: datetime) -> None:
        pass

    def escalate(
        self, new_severity: object, reason: object, occurred_at: datetime
    ) -> None:
        level = severity(new_severity)
        text = v.text(reason, "reason", limit=2000)
        when = v.aware(occurred_at, "occurred_at")
        self._require_open()
        if level <= self.severity:
            raise EscalationMustRaiseSeverity(
                f"severity is {self.severity}; an escalation must raise it",
                severity=self.severity,
            )
        self._escalated(level, text, when)

    @event("IncidentEscalated")
    def _escalated(self, severity: int, reason: str, occurred_at: datetime) -> None:
        self.severity = severity

    def add_note(self, text: object, occurred_at: datetime) -> None:
        body = v.text(text, "text")
        when = v.aware(occurred_at, "occurred_at")
        if self.status == "closed":
            raise IncidentAlreadyClosed(
                "the incident is closed; reopen it to add notes"
            )
        self._note_added(body, when)

    @event("IncidentNoteAdded")
    def _note_added(self, text: str, occurred_at: datetime) -> None:
        pass

    def resolve(self, resolution: object, occurred_at: datetime) -> None:
        text = v.text(resolution, "resolution", limit=5000)
        when = v.aware(occurred_at, "occurred_at")
        if self.status in ("resolved", "closed"):
            raise IncidentAlreadyResolved(f"the incident is already {self.status}")
        self._resolved(text, when)

    @event("IncidentResolved")
    def _resolved(self, resolution: str, occurred_at: datetime) -> None:
        self.status = "resolved"

    def close(self, occurred_at: datetime) -> None:
        when = v.aware(occurred_at, "occurred_at")
        if self.status == "closed":
            raise IncidentAlreadyClosed("the incident was already closed")
        if self.status != "resolved":
            raise IncidentNotResolved("resolve the incident before closing it")
        self._closed(when)

    @event("IncidentClosed")
    def _closed(self, occurred_at: datetime) -> None:
        self.status = "closed"

    def reopen(self, reason: object, occurred_at: datetime) -> None:
        text = v.text(reason, "reason", limit=2000)
        when = v.aware(occurred_at, "occurred_at")
        if self.status in OPEN_STATES:
            raise IncidentStillOpen("the incident is still open")
        self._reopened(text, when)

    @event("IncidentReopened")
    def _reopened(self, reason: str, occurred_at: datetime) -> None:
        self.status = "acknowledged"
        self.backup_requested = False
