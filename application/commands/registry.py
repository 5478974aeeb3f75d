"""Commands: each one typed declaration of its fields, the right it needs, where the
API takes it and what it decides; one registry of them all.

A command is parsed and validated once, at the edge (HTTP body, batch item,
imported line, demo step); HTTP, batch, import and the demo all reach it through
this registry, and the application runs it the same way for each.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from eventsourcing.domain import Aggregate
from pydantic import BaseModel, ConfigDict

from application.commands.fields import Names, named, values_of

if TYPE_CHECKING:
    from application.unit_of_work import UnitOfWork

Place = tuple[str | None, str | None]
# What a command decided: the id its answer names, and the aggregates it changed.
Decision = tuple[str, Sequence[Aggregate]]

COMMANDS: dict[str, type[Command]] = {}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class Command(BaseModel):
    """Something a user asks Jaga to record. Subclasses declare their fields (with
    the rules in application/commands/fields.py) and these class attributes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    command_name: ClassVar[str]  # e.g. check_in
    path: ClassVar[str]  # where the HTTP API takes it, under /api/v1
    right: ClassVar[str]  # the access right it needs (application/access.py)
    records: ClassVar[tuple[str, ...]]  # the event types it records
    tag: ClassVar[str]  # its group in the API's documentation
    # Whether it can be decided from what the application keeps in memory; one
    # that must learn that something does not exist yet (a registration) or read
    # the log (a correction) cannot.
    in_memory: ClassVar[bool] = True

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if "path" in cls.__dict__:
            cls.command_name = _snake(cls.__name__)
            COMMANDS[cls.command_name] = cls

    def decide(self, uow: UnitOfWork) -> Decision:
        """Loads what it acts on through `uow`, asks the domain, and returns the
        answer's id and the aggregates it changed."""
        raise NotImplementedError

    def own_places(self) -> list[Place]:
        """Regions the command names in its own fields (a registration's)."""
        return []

    def references(self) -> list[tuple[str, str]]:
        """Every (kind, id) the command names: what it reads, and where it lands."""
        found: list[tuple[str, str]] = []
        for field, info in type(self).model_fields.items():
            marker: Names | None = named(info)
            if marker is not None:
                found += [(marker.kind, i) for i in values_of(getattr(self, field))]
        return found

    # Fields a device restamps each time it sends the same request (its clock
    # when sending): a retry with a new value is still the same request.
    resent_fields: ClassVar[frozenset[str]] = frozenset()

    def fingerprint(self) -> str:
        """The same request gives the same fingerprint, whichever way it came."""
        body = self.model_dump(
            mode="json", exclude_unset=True, exclude=set(self.resent_fields)
        )
        text = json.dumps([self.command_name, body], sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()


def path_params(command: type[Command]) -> list[str]:
    return re.findall(r"\{(\w+)\}", command.path)


_PATTERNS: dict[str, re.Pattern[str]] = {}


def match(path: str) -> tuple[type[Command], dict[str, str]] | None:
    """The command taken at this path (relative to the API's root), and the ids
    in it."""
    for name, command in COMMANDS.items():
        pattern = _PATTERNS.get(name)
        if pattern is None:
            pattern = _PATTERNS[name] = re.compile(
                re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", command.path) + "/?"
            )
        found = pattern.fullmatch(path)
        if found:
            return command, found.groupdict()
    return None
