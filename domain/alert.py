"""Alert: a rule found something wrong about one subject, people were told, they
acted, and the condition ended. One aggregate per episode of a rule and subject."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import Conflict, InvalidValue
from domain.values import JAGA_NAMESPACE

# The rules, each judging one kind of subject (site:, incident:, concern:).
RULES = (
    "site_red",
    "check_in_overdue",
    "patrol_overdue",
    "incident_unacknowledged",
    "backup_overdue",
    "concern_deadline",
)


class AlertAlreadyAcknowledged(Conflict):
    """Someone acknowledged this alert before."""


class AlertAlreadyCleared(Conflict):
    """The alert's condition ended and it was cleared."""


def alert_id(rule: str, subject: str, episode: int) -> UUID:
    """The same rule, subject and episode always name the same alert, so two
    evaluators that judge alike write one alert, not two."""
    return uuid5(JAGA_NAMESPACE, f"alert/{rule}/{subject}/{episode}")


class Alert(Aggregate):
    @staticmethod
    def create_id(rule: str, subject: str, episode: int) -> UUID:
        return alert_id(rule, subject, episode)

    @classmethod
    def raise_(
        cls,
        rule: str,
        subject: str,
        episode: int,
        reasons: Sequence[dict[str, Any]],
        position: int,
        occurred_at: datetime,
        site_id: str | None = None,
        unit_ids: Sequence[str] | None = None,
    ) -> Alert:
        if rule not in RULES:
            raise InvalidValue("rule", f"must be one of {', '.join(RULES)}")
        return cls(
            rule=rule,
            subject=subject,
            episode=episode,
            reasons=[dict(r) for r in reasons],
            position=position,
            occurred_at=occurred_at,
            site_id=site_id,
            unit_ids=list(unit_ids or []),
        )

    @event("AlertRaised")
    def __init__(
        self,
        rule: str,
        subject: str,
        episode: int,
        reasons: list[dict[str, Any]],
        position: int,
        occurred_at: datetime,
        site_id: str | None,
        unit_ids: list[str],
    ) -> None:
        self.rule = rule
        self.subject = subject
        self.site_id = site_id
        self.unit_ids = unit_ids
        self.acknowledged = False
        self.cleared = False

    def acknowledge(self, by: str | None, note: str | None, at: datetime) -> None:
        if self.acknowledged:
            raise AlertAlreadyAcknowledged("the alert was already acknowledged")
        self._acknowledged(by or "", note or "", at)

    @event("AlertAcknowledged")
    def _acknowledged(self, by: str, note: str, occurred_at: datetime) -> None:
        self.acknowledged = True

    def clear(self, position: int, at: datetime) -> None:
        if self.cleared:
            raise AlertAlreadyCleared("the alert was already cleared")
        self._cleared(position, at)

    @event("AlertCleared")
    def _cleared(self, position: int, occurred_at: datetime) -> None:
        self.cleared = True
