"""Corrections: nothing is edited; an EntryCorrected event names the fix to an
earlier entry, and every corrected value passes the rule of the field it replaces."""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from typing import Annotated, Any, ClassVar

from pydantic import Field, TypeAdapter, ValidationError

from application.commands.fields import Aware, EventRef, Reason
from application.commands.registry import COMMANDS, Command, Decision
from application.unit_of_work import UnitOfWork, unknown
from domain.correction import Correction, check_correctable
from domain.errors import InvalidValue

Changes = Annotated[dict[str, Any], Field(min_length=1, max_length=100)]


@cache
def rules(event_type: str) -> dict[str, TypeAdapter[Any]]:
    """Each field of an event type and the rule its value passes: the rule of the
    command field it came from."""
    found: dict[str, TypeAdapter[Any]] = {"occurred_at": TypeAdapter(Aware | None)}
    for command in COMMANDS.values():
        if event_type in command.records:
            for name, info in command.model_fields.items():
                kind: Any = info.annotation
                if info.metadata:
                    kind = Annotated[kind, *info.metadata]
                found[name] = TypeAdapter(kind)
    return found


def corrected_value(event_type: str, name: str, value: Any) -> Any:
    """The value as it is recorded, once it passes its field's rule."""
    rule = rules(event_type).get(name)
    field = f"changes.{name}"
    if rule is None:
        raise InvalidValue(
            field, "follows from other entries; correct the entry it comes from"
        )
    try:
        text = json.dumps(value, allow_nan=False)
        checked = rule.validate_json(text)
    except ValueError:
        raise InvalidValue(field, "must be a finite number") from None
    except ValidationError as error:
        first = error.errors()[0]
        raise InvalidValue(field, str(first.get("msg", "is not valid"))) from None
    if isinstance(checked, datetime):
        return checked.isoformat()  # as every recorded time: UTC, +00:00
    return rule.dump_python(checked, mode="json")


class CorrectEntry(Command):
    """Corrects fields of an earlier entry; the entry stays as it was recorded."""

    path: ClassVar[str] = "/corrections"
    right: ClassVar[str] = "correction.write"
    records: ClassVar[tuple[str, ...]] = ("EntryCorrected",)
    tag: ClassVar[str] = "corrections"
    in_memory: ClassVar[bool] = False

    event_id: EventRef
    reason: Reason
    changes: Changes
    occurred_at: Aware | None = None

    def decide(self, uow: UnitOfWork) -> Decision:
        original = uow.record(self.event_id)
        if original is None:
            raise unknown("event_id", self.event_id)
        fields = {**original["data"], "occurred_at": original["occurred_at"]}
        event_type = original["type"]
        checked: dict[str, Any] = {}
        for name, value in self.changes.items():
            check_correctable(event_type, fields, name)
            checked[name] = corrected_value(event_type, name, value)
        correction = Correction.record(
            event_id=original["event_id"],
            event_type=event_type,
            aggregate_id=original["aggregate_id"],
            original=fields,
            reason=self.reason,
            changes=checked,
            occurred_at=uow.field_time(self.occurred_at),
        )
        return str(correction.id), [correction]
