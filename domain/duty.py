"""Guard duty at a site: the sequence of teams on duty, one at a time.

Duty lives on the site's own aggregate, so two handovers racing for the same shift
meet on one version: one wins, the other conflicts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from eventsourcing.domain import Aggregate, event

from domain.errors import Conflict, InvalidValue


class TeamAlreadyOnDuty(Conflict):
    """A shift is on duty at the site; hand it over or end it first."""


class ShiftNotOnDuty(Conflict):
    """The named shift is not the one on duty at the site."""


class ShiftAlreadyHandedOver(ShiftNotOnDuty):
    """The named shift was handed over or ended before."""


@dataclass(frozen=True)
class Team:
    shift_id: str
    unit_id: str
    commander_id: str
    roster: tuple[str, ...]
    started_at: datetime | None = None


def roster_of(roster: Sequence[str], commander_id: str) -> list[str]:
    """The team: the roster, with its commander in it."""
    return list(roster) if commander_id in roster else [commander_id, *roster]


def not_before_start(team: Team, occurred_at: datetime) -> None:
    """A shift cannot be handed over or ended before it began: such a time is a
    mistake of the device or of whoever typed it."""
    if team.started_at is not None and occurred_at < team.started_at:
        raise InvalidValue(
            "occurred_at",
            "must not be before the shift it takes over began",
            shift_id=team.shift_id,
            started_at=team.started_at.isoformat(),
        )


class GuardDuty(Aggregate):
    """The duty part of a site; Site inherits it and sets up its state."""

    if TYPE_CHECKING:  # declared for type checkers only: annotations become fields
        site_id: str
        on_duty: Team | None
        past_shifts: set[str]
        last_ended_at: datetime | None

    def require_active(self) -> None:
        """Refuses duty at a site that is no longer guarded (Site defines it)."""

    def _require_on_duty(self, shift_id: str) -> Team:
        if self.on_duty is not None and self.on_duty.shift_id == shift_id:
            return self.on_duty
        if shift_id in self.past_shifts:
            raise ShiftAlreadyHandedOver(
                f"shift {shift_id} was already handed over or ended",
                shift_id=shift_id,
                site_id=self.site_id,
                on_duty=self.on_duty.shift_id if self.on_duty else None,
            )
        raise ShiftNotOnDuty(
            f"shift {shift_id} is not on duty at {self.site_id}",
            shift_id=shift_id,
            site_id=self.site_id,
            on_duty=self.on_duty.shift_id if self.on_duty else None,
        )

    def start_shift(
        self,
        shift_id: str,
        unit_id: str,
        commander_id: str,
        roster: Sequence[str],
        occurred_at: datetime,
    ) -> None:
        self.require_active()
        if self.on_duty is not None:
            raise TeamAlreadyOnDuty(
                f"shift {self.on_duty.shift_id} is on duty at {self.site_id}",
                on_duty=self.on_duty.shift_id,
                site_id=self.site_id,
            )
        ended = getattr(self, "last_ended_at", None)
        if ended is not None and occurred_at < ended:
            # Two teams on duty at once, or a gap rewritten after the fact: the
            # board and the gaps would each tell another story.
            raise InvalidValue(
                "occurred_at",
                "must not be before the last shift at this site ended",
                ended_at=ended.isoformat(),
            )
        team = roster_of(roster, commander_id)
        self._started(self.site_id, shift_id, unit_id, commander_id, team, occurred_at)

    @event("ShiftStarted")
    def _started(
        self,
        site_id: str,
        shift_id: str,
        unit_id: str,
        commander_id: str,
        roster: list[str],
        occurred_at: datetime,
    ) -> None:
        self.on_duty = Team(shift_id, unit_id, commander_id, tuple(roster), occurred_at)

    def hand_over(
        self,
        shift_id: str,
        incoming_shift_id: str,
        incoming_commander_id: str,
        incoming_roster: Sequence[str],
        occurred_at: datetime,
        incoming_unit_id: str | None = None,
        observations: str | None = None,
        seals_intact: bool | None = None,
        attachments: Sequence[dict[str, Any]] | None = None,
    ) -> None:
        self.require_active()
        outgoing = self._require_on_duty(shift_id)
        not_before_start(outgoing, occurred_at)
        if incoming_roster and incoming_commander_id not in incoming_roster:
            # A commander outside the team that takes over is a wrong id, not a
            # shorthand: the roster is who stands guard.
            raise InvalidValue(
                "incoming_commander_id",
                "is not in incoming_roster",
                incoming_commander_id=incoming_commander_id,
            )
        self._handed_over(
            site_id=self.site_id,
            shift_id=shift_id,
            outgoing_unit_id=outgoing.unit_id,
            outgoing_commander_id=outgoing.commander_id,
            outgoing_roster=list(outgoing.roster),
            incoming_shift_id=incoming_shift_id,
            incoming_unit_id=incoming_unit_id or outgoing.unit_id,
            incoming_commander_id=incoming_commander_id,
            incoming_roster=roster_of(incoming_roster, incoming_commander_id),
            observations=observations or "",
            seals_intact=seals_intact,
            occurred_at=occurred_at,
            attachments=list(attachments or []),
        )

    @event("ShiftHandedOver")
    def _handed_over(
        self,
        site_id: str,
        shift_id: str,
        outgoing_unit_id: str,
        outgoing_commander_id: str,
        outgoing_roster: list[str],
        incoming_shift_id: str,
        incoming_unit_id: str,
        incoming_commander_id: str,
        incoming_roster: list[str],
        observations: str,
        seals_intact: bool | None,
        occurred_at: datetime,
        attachments: list[dict[str, Any]] | None = None,
    ) -> None:
        self.past_shifts.add(shift_id)
        self.on_duty = Team(
            incoming_shift_id,
            incoming_unit_id,
            incoming_commander_id,
            tuple(incoming_roster),
            occurred_at,
        )

    def end_shift(
        self, shift_id: str, notes: str | None, occurred_at: datetime
    ) -> None:
        not_before_start(self._require_on_duty(shift_id), occurred_at)
        self._ended(self.site_id, shift_id, notes or "", occurred_at)

    @event("ShiftEnded")
    def _ended(
        self, site_id: str, shift_id: str, notes: str, occurred_at: datetime
    ) -> None:
        self.past_shifts.add(shift_id)
        self.on_duty = None
        self.last_ended_at = occurred_at
