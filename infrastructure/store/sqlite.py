"""The library's SQLite recorder, extended with Jaga's log tables and triggers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor

from infrastructure.store import log

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

    def _insert_events(
        self,
        c: SQLiteCursor,
        stored_events: Sequence[StoredEvent],
        **kwargs: Any,
    ) -> Sequence[int] | None:
        ids = super()._insert_events(c, stored_events, **kwargs)
        writes = kwargs.get("jaga_writes")
        if writes and ids is not None:
            log.append(c, DIALECT, ids, writes)
        return ids
