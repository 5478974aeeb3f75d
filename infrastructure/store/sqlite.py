"""The library's SQLite recorder, extended with Jaga's log tables, triggers and the
append that stores events with their positions, leaves and tree."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import ProgrammingError, StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder

from application.writes import Appended, PreparedWrite
from infrastructure.store import log
from infrastructure.store.append import SQLiteAppend

DIALECT = log.Dialect(ph="?", blob="BLOB", notification_column="rowid")


def _refuse(table: str, action: str) -> str:
    return (
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_{action.lower()} "
        f"BEFORE {action} ON {table} BEGIN "
        f"SELECT RAISE(ABORT, '{table} is append-only: {action} refused'); END"
    )


class JagaSQLiteRecorder(log.LogQueries, SQLiteApplicationRecorder):
    dialect = DIALECT

    def construct_create_table_statements(self) -> list[str]:
        statements = super().construct_create_table_statements()
        statements += log.create_statements(DIALECT)
        tables = (self.events_table_name, "jaga_log", "jaga_merkle")
        statements += [_refuse(t, a) for t in tables for a in ("UPDATE", "DELETE")]
        return statements

    def create_table(self) -> None:
        super().create_table()
        with self.datastore.transaction(commit=True) as c:
            c.execute("PRAGMA table_info(jaga_idempotency)")
            if "first_position" not in {r["name"] for r in c.fetchall()}:
                c.execute("ALTER TABLE jaga_idempotency ADD COLUMN first_position")

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        raise ProgrammingError("events enter the log through append() only")

    def append(self, writes: Sequence[PreparedWrite]) -> list[Appended]:
        if not writes:
            return []
        with self.datastore.get_connection(commit=True) as conn:
            cursor = conn.cursor()
            # IMMEDIATE: the write lock first, so no other process can write
            # between the checks and the inserts.
            cursor.execute("BEGIN IMMEDIATE")
            try:
                outcome = SQLiteAppend(cursor, DIALECT, self.events_table_name).run(
                    writes, self.insert_events_statement
                )
            except BaseException:
                conn.rollback()
                raise
            conn.commit()
            return outcome
