"""What the audit service refuses, each with its code."""

from __future__ import annotations

from domain.errors import Conflict, InvalidValue, NotFound


class InvalidRange(InvalidValue, ValueError):
    """Positions or tree sizes outside the log, or in the wrong order."""

    @property
    def code(self) -> str:
        return "invalid_range"


class LogInconsistent(Conflict):
    """The stored tree no longer extends the last signed checkpoint."""


class SigningKeyMissing(NotFound):
    """No signing key where the settings point, and none may be made implicitly."""

    @property
    def code(self) -> str:
        return "signing_key_missing"
