"""Jaga's own log tables beside the library's events, and their reads: the dense
position of every event, its Merkle leaf and tree nodes, and the answers of
idempotent commands.

They are written in the same transaction as the events, inside the writer's lock
(infrastructure/store/append.py and append.sql), so positions follow commit order
and have no gaps.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresDatastore

from application.writes import answer_with_positions
from infrastructure.audit.merkle import NodeKey


@dataclass(frozen=True)
class Dialect:
    ph: str  # parameter placeholder
    blob: str
    notification_column: str  # the library's notification id in its events table


def create_statements(d: Dialect) -> list[str]:
    return [
        "CREATE TABLE IF NOT EXISTS jaga_log ("
        " position BIGINT PRIMARY KEY,"
        " notification_id BIGINT NOT NULL UNIQUE,"
        " event_id TEXT NOT NULL UNIQUE,"
        f" leaf_hash {d.blob} NOT NULL)",
        "CREATE TABLE IF NOT EXISTS jaga_merkle ("
        " level INTEGER NOT NULL, idx BIGINT NOT NULL,"
        f" hash {d.blob} NOT NULL, PRIMARY KEY (level, idx))",
        "CREATE TABLE IF NOT EXISTS jaga_idempotency ("
        " scope TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL,"
        " answer TEXT NOT NULL, first_position BIGINT, PRIMARY KEY (scope, key))",
    ]


class CursorNodes:
    """The Merkle nodes as seen inside the writing transaction."""

    def __init__(self, cursor: Any, d: Dialect) -> None:
        self.cursor = cursor
        self.d = d

    def get_nodes(self, keys: Sequence[NodeKey]) -> dict[NodeKey, bytes]:
        if not keys:
            return {}
        where = " OR ".join(f"(level={self.d.ph} AND idx={self.d.ph})" for _ in keys)
        self.cursor.execute(
            f"SELECT level, idx, hash FROM jaga_merkle WHERE {where}",
            [x for key in keys for x in key],
        )
        return {
            (r["level"], r["idx"]): bytes(r["hash"]) for r in self.cursor.fetchall()
        }


def stored_answer(row: Any) -> dict[str, Any]:
    """The answer kept for an idempotency key; kept without its positions, which
    follow from the write's first one (older rows kept them inside)."""
    answer: dict[str, Any] = json.loads(row["answer"])
    first = row["first_position"]
    return answer if first is None else answer_with_positions(answer, int(first))


@contextmanager
def single_read(datastore: Any) -> Iterator[Any]:
    """A cursor for one read statement. PostgreSQL's pooled connections are in
    autocommit, so it needs no BEGIN and ROLLBACK: one round trip instead of three."""
    if isinstance(datastore, PostgresDatastore):
        with datastore.get_connection() as conn, conn.cursor() as c:
            yield c
    else:
        with datastore.transaction(commit=False) as c:
            yield c


class LogQueries:
    """Reads of Jaga's log tables; mixed into both recorders."""

    dialect: Dialect
    datastore: Any
    events_table_name: str

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with single_read(self.datastore) as c:
            c.execute(sql, list(params))
            return list(c.fetchall())

    def max_position(self) -> int:
        rows = self._rows("SELECT COALESCE(MAX(position), 0) AS size FROM jaga_log")
        return int(rows[0]["size"])

    def find_answer(self, scope: str, key: str) -> tuple[str, dict[str, Any]] | None:
        ph = self.dialect.ph
        rows = self._rows(
            "SELECT fingerprint, answer, first_position FROM jaga_idempotency "
            f"WHERE scope={ph} AND key={ph}",
            [scope, key],
        )
        if not rows:
            return None
        return rows[0]["fingerprint"], stored_answer(rows[0])

    def find_answers(
        self, pairs: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], tuple[str, dict[str, Any]]]:
        """`find_answer` for many (scope, key) pairs, a few queries in all."""
        ph = self.dialect.ph
        found: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
        unique = list(dict.fromkeys(pairs))
        for start in range(0, len(unique), 200):
            part = unique[start : start + 200]
            where = " OR ".join(f"(scope={ph} AND key={ph})" for _ in part)
            rows = self._rows(
                "SELECT scope, key, fingerprint, answer, first_position"
                f" FROM jaga_idempotency WHERE {where}",
                [x for pair in part for x in pair],
            )
            for r in rows:
                found[(r["scope"], r["key"])] = (r["fingerprint"], stored_answer(r))
        return found

    def known_ids(self, ids: Sequence[UUID]) -> set[UUID]:
        """Which of these aggregates have events, a few queries in all."""
        ph = self.dialect.ph
        as_text = ph == "?"  # SQLite keeps ids as hex text
        found: set[UUID] = set()
        unique = list(dict.fromkeys(ids))
        for start in range(0, len(unique), 500):
            part = unique[start : start + 500]
            rows = self._rows(
                f"SELECT DISTINCT originator_id FROM {self.events_table_name}"
                f" WHERE originator_id IN ({','.join([ph] * len(part))})",
                [i.hex if as_text else i for i in part],
            )
            found |= {UUID(str(r["originator_id"])) for r in rows}
        return found

    def events_of(self, ids: Sequence[UUID]) -> dict[UUID, list[StoredEvent]]:
        """The stored events of each of these aggregates, a few queries in all."""
        ph = self.dialect.ph
        as_text = ph == "?"
        found: dict[UUID, list[StoredEvent]] = {}
        unique = list(dict.fromkeys(ids))
        for start in range(0, len(unique), 500):
            part = unique[start : start + 500]
            rows = self._rows(
                "SELECT originator_id, originator_version, topic, state"
                f" FROM {self.events_table_name}"
                f" WHERE originator_id IN ({','.join([ph] * len(part))})"
                " ORDER BY originator_id, originator_version",
                [i.hex if as_text else i for i in part],
            )
            for r in rows:
                aggregate_id = UUID(str(r["originator_id"]))
                found.setdefault(aggregate_id, []).append(
                    StoredEvent(
                        aggregate_id,
                        r["originator_version"],
                        r["topic"],
                        bytes(r["state"]),
                    )
                )
        return found

    def _select_stored(self) -> str:
        return (
            "SELECT l.position, l.leaf_hash, e.originator_id, e.originator_version,"
            f" e.topic, e.state FROM jaga_log l JOIN {self.events_table_name} e"
            f" ON e.{self.dialect.notification_column} = l.notification_id"
        )

    def read_stored(
        self, after: int, limit: int, until: int | None = None
    ) -> list[Any]:
        """Stored events with position > after (and <= until), in log order."""
        ph = self.dialect.ph
        sql = self._select_stored() + f" WHERE l.position > {ph}"
        params: list[Any] = [after]
        if until is not None:
            sql += f" AND l.position <= {ph}"
            params.append(until)
        sql += f" ORDER BY l.position LIMIT {ph}"
        params.append(limit)
        return self._rows(sql, params)

    def find_stored(self, event_id: str) -> Any | None:
        ph = self.dialect.ph
        rows = self._rows(
            self._select_stored() + f" WHERE l.event_id = {ph}", [event_id]
        )
        return rows[0] if rows else None

    def get_nodes(self, keys: Sequence[NodeKey]) -> dict[NodeKey, bytes]:
        with self.datastore.transaction(commit=False) as c:
            return CursorNodes(c, self.dialect).get_nodes(keys)
