"""The library's PostgreSQL factory, passing libpq's URL parameters on."""

from __future__ import annotations

import json
from typing import Any

from eventsourcing.postgres import PostgresFactory


class JagaPostgresFactory(PostgresFactory):
    """Connects with the URL's libpq parameters too: with several hosts and
    `target_session_attrs=read-write`, every new connection finds the primary, so
    a server follows a promoted standby without a restart."""

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        extra = json.loads(self.env.get("JAGA_LIBPQ_PARAMS") or "{}")
        kwargs: Any = self.datastore.pool.kwargs
        kwargs.update(extra)
