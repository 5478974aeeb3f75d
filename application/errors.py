"""Errors of the application layer that are not domain rules."""

from __future__ import annotations

from domain.errors import Conflict, DomainError


class IdempotencyKeyReused(Conflict):
    """The same Idempotency-Key came with a different request."""


class CommandConflict(Conflict):
    """The command kept meeting concurrent changes and was not saved."""


class WriteNotStored(Exception):
    """The store could not finish a write; nothing of it was stored, so the caller
    may send it again (with its Idempotency-Key, it is never stored twice)."""

    def __init__(self, cause: BaseException) -> None:
        text = str(cause).strip().splitlines()[0] if str(cause).strip() else ""
        self.reason = f"{type(cause).__name__}: {text}"[:300]
        super().__init__(f"the store could not save this write ({self.reason})")


class NotAllowed(DomainError):
    """The key's role or regions do not allow this command."""

    @property
    def code(self) -> str:
        return "forbidden"
