"""The library's PostgreSQL recorder, extended with Jaga's log tables and triggers.

Positions are assigned after the library has taken its table lock, so the dense
position order is the commit order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.utils import retry
from psycopg import Cursor, InterfaceError, OperationalError
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composable, Identifier

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
        # The library composes its statements with psycopg.sql objects, which
        # psycopg parses again on every call; as text they are parsed once.
        self.insert_events_statement = _text(self.insert_events_statement)  # type: ignore[assignment]
        self.lock_table_statements = [_text(s) for s in self.lock_table_statements]
        self.notify_statement = _text(
            SQL("NOTIFY {0}").format(Identifier(self.channel_name))
        )
        self.select_statements: dict[tuple[bool, bool, bool, bool], str] = {}

    def _notify_channel(self, curs: Cursor[DictRow]) -> None:
        curs.execute(self.notify_statement)

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def select_events(
        self,
        originator_id: UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Sequence[StoredEvent]:
        """The library's query, its text made once for each shape of arguments."""
        shape = (gt is not None, lte is not None, desc, limit is not None)
        statement = self.select_statements.get(shape)
        if statement is None:
            statement = self.select_statements[shape] = _text(
                self.select_events_statement
                + SQL(" AND originator_version > %s" if shape[0] else "")
                + SQL(" AND originator_version <= %s" if shape[1] else "")
                + SQL(
                    " ORDER BY originator_version DESC"
                    if desc
                    else " ORDER BY originator_version ASC"
                )
                + SQL(" LIMIT %s" if shape[3] else "")
            )
        params = [originator_id, *(p for p in (gt, lte, limit) if p is not None)]
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, params, prepare=True)
            return [
                StoredEvent(
                    originator_id=row["originator_id"],
                    originator_version=row["originator_version"],
                    topic=row["topic"],
                    state=bytes(row["state"]),
                )
                for row in curs.fetchall()
            ]

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


def _text(statement: Composable | str) -> str:
    return statement if isinstance(statement, str) else statement.as_string(None)
