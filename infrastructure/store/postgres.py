"""The library's PostgreSQL recorder, extended with Jaga's log tables, triggers and
the append that stores events with their positions, leaves and tree in one call.

Positions are assigned under the events table's lock, so the dense position order
is the commit order.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import cached_property
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.persistence import ProgrammingError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.utils import retry
from psycopg import Connection, InterfaceError, OperationalError
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composable, Identifier
from psycopg_pool import ConnectionPool

from application.writes import Appended, PreparedWrite
from infrastructure.store import log
from infrastructure.store.append import function_params, function_sql, outcome_of

DIALECT = log.Dialect(ph="%s", blob="BYTEA", notification_column="notification_id")

SETUP_LOCK = "SELECT pg_advisory_xact_lock(1245791041)"
# Logs made before idempotency answers kept their first position apart.
MIGRATE = "ALTER TABLE jaga_idempotency ADD COLUMN IF NOT EXISTS first_position BIGINT"
_pruning = threading.Lock()
APPEND_ATTEMPTS = 3
# A write the store cannot finish ends in an error (503), never in a hang.
STATEMENT_MS = 15_000
CONNECT_SECONDS = 5

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
    _pruning = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        statements = [*log.create_statements(DIALECT), REFUSE_FUNCTION, MIGRATE]
        tables = (self.events_table_name, "jaga_log", "jaga_merkle")
        statements += [s for t in tables for s in _triggers(t)]
        created: list[Any] = self.sql_create_statements
        created += [SQL(s) for s in statements]
        # Two processes starting at once would deadlock replacing the function
        # while creating triggers: the first statement of the transaction waits.
        created.insert(0, SQL(SETUP_LOCK))
        self.select_statements: dict[tuple[bool, bool, bool, bool], str] = {}
        schema = self.datastore.schema
        created.append(
            SQL(
                function_sql(
                    _text(Identifier(schema)),
                    _text(Identifier(self.events_table_name)),
                    _text(Identifier(self.channel_name)),
                )
            )
        )
        self.append_statement = (
            f"SELECT * FROM {_text(Identifier(schema))}.jaga_append("
            + ",".join(["%s"] * 19)
            + ")"
        )

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

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        raise ProgrammingError("events enter the log through append() only")

    def append(self, writes: Sequence[PreparedWrite]) -> list[Appended]:
        """One call of `jaga_append`: one round trip, one statement, all or nothing.

        If the connection breaks, the same call is made again on a new one: an
        append that went through answers `stored_before`, so nothing is stored
        twice and nothing acknowledged is lost.
        """
        if not writes:
            return []
        params = function_params(writes)
        rows: list[Any] = []
        for attempt in range(1, APPEND_ATTEMPTS + 1):
            with self.writers.connection() as conn:
                try:
                    rows = conn.execute(self.append_statement, params).fetchall()
                    break
                except (psycopg.OperationalError, psycopg.InterfaceError):
                    # A statement that failed on a live connection (a timeout, a
                    # refused write) stored nothing: its error is the answer.
                    if not conn.broken or attempt == APPEND_ATTEMPTS:
                        raise
        by_write = {int(r["write_no"]): outcome_of(r) for r in rows}
        return [by_write[n] for n in range(1, len(writes) + 1)]

    @cached_property
    def writers(self) -> ConnectionPool[Connection[DictRow]]:
        """Connections of the append only: autocommit, each statement bounded."""
        pool = self.datastore.pool
        kwargs = {
            **pool.kwargs,
            "options": f"-c statement_timeout={STATEMENT_MS}",
            "connect_timeout": CONNECT_SECONDS,
        }
        writers: ConnectionPool[Connection[DictRow]] = ConnectionPool(
            pool.conninfo,
            kwargs=kwargs,
            min_size=1,
            max_size=4,
            open=False,
            configure=_autocommit,
            timeout=pool.timeout,
            name="jaga-append",
        )
        writers.open(wait=False)
        return writers

    def prune(self) -> None:
        """After a connection was found broken (the database restarted or failed
        over), checks every idle pooled connection in the background and replaces
        the dead ones, so the next requests do not each find one."""
        with _pruning:
            if self._pruning:
                return
            self._pruning = True

        def run() -> None:
            try:
                self.check_pools()
            except Exception:  # a pool closing meanwhile: nothing to prune
                pass
            finally:
                self._pruning = False

        threading.Thread(target=run, name="jaga-prune", daemon=True).start()

    def check_pools(self) -> None:
        """Checks every idle pooled connection now and replaces the dead ones."""
        pools = [self.datastore.pool]
        if "writers" in vars(self):
            pools.append(self.writers)
        for pool in pools:
            pool.check()

    def close(self) -> None:
        if "writers" in vars(self):
            self.writers.close()


def _autocommit(conn: Connection[Any]) -> None:
    conn.autocommit = True


def _text(statement: Composable | str) -> str:
    return statement if isinstance(statement, str) else statement.as_string(None)
