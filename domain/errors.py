"""Named domain errors: invalid values, unknown things, states that forbid a command."""

from __future__ import annotations

import re
from typing import Any


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class DomainError(Exception):
    """A command the domain refuses; `code` names it for machines."""

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    @property
    def code(self) -> str:
        return _snake(type(self).__name__)


class InvalidValue(DomainError):
    """A field's value breaks a rule; `field` says which one."""

    def __init__(self, field: str, message: str, **details: Any) -> None:
        super().__init__(f"{field}: {message}", field=field, **details)
        self.field = field

    @property
    def code(self) -> str:
        return "invalid_value"


class NotFound(DomainError):
    """The command names something that was never recorded."""


class Conflict(DomainError):
    """The command is not allowed in the current state."""


class AlreadyRegistered(Conflict):
    """An id that is taken."""
