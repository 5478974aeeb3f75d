"""Dashboard sessions: an opaque cookie id, kept in the database
(infrastructure/sessions), mapped to the signed-in key."""

from __future__ import annotations

from infrastructure.sessions import IDLE_SECONDS

COOKIE = "jaga_session"

__all__ = ["COOKIE", "IDLE_SECONDS"]
