"""Alerts: raised and cleared by Jaga's evaluator, acknowledged by ops or field."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field, Strict, StringConstraints

from application.commands.fields import (
    Aware,
    Names,
    OptionalName,
    OptionalText,
    ServerId,
    SiteRef,
    SomeUnitRefs,
)
from application.commands.registry import Command, Decision
from application.unit_of_work import UnitOfWork, server_id
from domain.alert import RULES, Alert, alert_id
from domain.errors import AlreadyRegistered

RAISE = "alert.raise"  # Jaga's own evaluator: no key holds it
ACKNOWLEDGE = "alert.acknowledge"

AlertRef = Annotated[ServerId, Names("alert")]
Rule = Literal[RULES]  # type: ignore[valid-type]
Subject = Annotated[
    str,
    Strict(),
    StringConstraints(pattern=r"^(site|incident|concern):[A-Za-z0-9._-]{1,64}$"),
]
ReasonValue = Annotated[str, StringConstraints(max_length=200)] | int | float | None
Reasons = Annotated[
    list[dict[Annotated[str, StringConstraints(max_length=40)], ReasonValue]],
    Field(max_length=20),
]
Position = Annotated[int, Strict(), Field(ge=0)]
Episode = Annotated[int, Strict(), Field(ge=1)]


class RaiseAlert(Command):
    """A rule found its condition on a subject: one alert per episode."""

    path: ClassVar[str] = "/alerts"
    right: ClassVar[str] = RAISE
    records: ClassVar[tuple[str, ...]] = ("AlertRaised",)
    tag: ClassVar[str] = "alerts"
    in_memory: ClassVar[bool] = False

    rule: Rule
    subject: Subject
    episode: Episode
    reasons: Reasons
    position: Position
    site_id: SiteRef | None = None
    unit_ids: SomeUnitRefs | None = None
    occurred_at: Aware | None = None

    def decide(self, uow: UnitOfWork) -> Decision:
        if uow.app.exists(alert_id(self.rule, self.subject, self.episode)):
            raise AlreadyRegistered("this alert was raised before", id=self.subject)
        alert = Alert.raise_(
            **self.model_dump(exclude={"occurred_at"}),
            occurred_at=uow.field_time(self.occurred_at),
        )
        return str(alert.id), [alert]


class _Step(Command):
    tag: ClassVar[str] = "alerts"

    alert_id: AlertRef

    def alert(self, uow: UnitOfWork) -> Alert:
        return uow.get(
            Alert,
            server_id(self.alert_id, "alert_id"),
            "alert_id",
            self.alert_id,
            change=True,
        )


class AcknowledgeAlert(_Step):
    """Someone has seen the alert and acts on it: who, and a note."""

    path: ClassVar[str] = "/alerts/{alert_id}/acknowledge"
    right: ClassVar[str] = ACKNOWLEDGE
    records: ClassVar[tuple[str, ...]] = ("AlertAcknowledged",)

    by: OptionalName | None = None
    note: OptionalText | None = None
    occurred_at: Aware | None = None

    def decide(self, uow: UnitOfWork) -> Decision:
        alert = self.alert(uow)
        alert.acknowledge(self.by, self.note, uow.field_time(self.occurred_at))
        return str(alert.id), [alert]


class ClearAlert(_Step):
    """The alert's condition ended, judged at a log position."""

    path: ClassVar[str] = "/alerts/{alert_id}/clear"
    right: ClassVar[str] = RAISE
    records: ClassVar[tuple[str, ...]] = ("AlertCleared",)

    position: Position
    occurred_at: Aware | None = None

    def decide(self, uow: UnitOfWork) -> Decision:
        alert = self.alert(uow)
        alert.clear(self.position, uow.field_time(self.occurred_at))
        return str(alert.id), [alert]
