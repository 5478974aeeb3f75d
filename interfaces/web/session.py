"""Dashboard sessions: an opaque cookie id mapped, in memory, to the signed-in key."""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict

COOKIE = "jaga_session"
IDLE_SECONDS = 12 * 3600
MAX_SESSIONS = 10_000


class Sessions:
    """Only the key id is kept, so every request re-reads the key and a revoked key
    signs its sessions out at once; the secret itself never stays in memory."""

    def __init__(
        self, idle_seconds: float = IDLE_SECONDS, limit: int = MAX_SESSIONS
    ) -> None:
        self.idle_seconds = idle_seconds
        self.limit = limit
        self._lock = threading.Lock()
        self._ids: OrderedDict[str, tuple[str, float]] = OrderedDict()

    def open(self, key_id: str) -> str:
        session_id = secrets.token_urlsafe(32)
        with self._lock:
            self._ids[session_id] = (key_id, time.monotonic())
            while len(self._ids) > self.limit:
                self._ids.popitem(last=False)
        return session_id

    def key_id(self, session_id: str | None) -> str | None:
        """The session's key id, or None when unknown or idle too long."""
        if not session_id or len(session_id) > 100:
            return None
        now = time.monotonic()
        with self._lock:
            found = self._ids.get(session_id)
            if found is None:
                return None
            key_id, seen = found
            if now - seen > self.idle_seconds:
                del self._ids[session_id]
                return None
            self._ids[session_id] = (key_id, now)
            self._ids.move_to_end(session_id)
        return key_id

    def close(self, session_id: str | None) -> None:
        if session_id:
            with self._lock:
                self._ids.pop(session_id, None)
