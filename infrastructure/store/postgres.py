"""The library's PostgreSQL recorder, extended with Jaga's log tables and triggers.

Positions are assigned after the library has taken its table lock, so the dense
position order is the commit order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL

from infrastructure.store import log

DIALECT = log.Dialect(ph="%s", blob="BYTEA", notification_column="notification_id")

SETUP_LOCK = "SELECT pg_advisory_xact_lock(1245791041)"

REFUSE_FUNCTION = """
CREATE OR REPLACE FUNCTION jaga_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$
"""


def _triggers(table: str) -> list[str]:
    return [
        f"CREATE OR REPLACE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE "
        f"ON {table} FOR EACH ROW EXECUTE FUNCTION jaga_refuse_change()",
        f"CREATE OR REPLACE TRIGGER {table}_no_truncate BEFORE TRUNCATE "
        f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION jaga_refuse_change()",
    ]


class JagaPostgresRecorder(log.LogQueries, PostgresApplicationRecorder):
    dialect = DIALECT

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        statements = [*log.create_statements(DIALECT), REFUSE_FUNCTION]
        tables = (self.events_table_name, "jaga_log", "jaga_merkle")
        statements += [s for t in tables for s in _triggers(t)]
        self.sql_create_statements += [SQL(s) for s in statements]  # type: ignore[arg-type]
        # Two processes starting at once would deadlock replacing the function
        # while creating triggers: the first statement of the transaction waits.
        self.sql_create_statements.insert(0, SQL(SETUP_LOCK))

    def _fetch_ids_after_insert_events(
        self,
        curs: Cursor[DictRow],
        stored_events: Sequence[StoredEvent],
        **kwargs: Any,
    ) -> Sequence[int] | None:
        ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        writes = kwargs.get("jaga_writes")
        if writes and ids is not None:
            log.append(curs, DIALECT, ids, writes)
        return ids
