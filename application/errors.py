"""Errors of the application layer that are not domain rules."""

from __future__ import annotations

from domain.errors import Conflict


class IdempotencyKeyReused(Conflict):
    """The same Idempotency-Key came with a different request."""


class CommandConflict(Conflict):
    """The command kept meeting concurrent changes and was not saved."""
