"""The store's append: every write's events, positions, leaves, Merkle nodes and
idempotency answer, stored in one transaction or not at all.

On PostgreSQL the serialized section is one call of the `jaga_append` function
(append.sql), so the events table's lock is held for the server's own work only,
never across a round trip. On SQLite, one process at a time writes the file, and
the same steps run here inside one `BEGIN IMMEDIATE` transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from importlib import resources
from typing import Any
from uuid import UUID

from application.writes import EXISTS, Appended, PreparedWrite
from infrastructure.audit.merkle import nodes_to_append
from infrastructure.store.log import CursorNodes, Dialect, stored_answer

LOCK_SECONDS = 5


def function_sql(schema: str, events: str, channel: str) -> str:
    """The `jaga_append` function for this events table (identifiers quoted)."""
    text = resources.files("infrastructure.store").joinpath("append.sql").read_text()
    return text.format(schema=schema, events=events, channel=channel)


def function_params(writes: Sequence[PreparedWrite]) -> list[Any]:
    """The parallel arrays `jaga_append` takes, sorted by write."""
    e: list[list[Any]] = [[] for _ in range(7)]
    c: list[list[Any]] = [[] for _ in range(3)]
    needs: list[list[Any]] = [[], []]
    k: list[list[Any]] = [[] for _ in range(5)]
    for n, w in enumerate(writes, start=1):
        for event, event_id, leaf in zip(
            w.events, w.event_ids, w.leaf_hashes, strict=True
        ):
            row = (
                n,
                event.originator_id,
                event.originator_version,
                event.topic,
                event.state,
                event_id,
                leaf,
            )
            for column, value in zip(e, row, strict=True):
                column.append(value)
        for aggregate_id, version in w.expects:
            expected: tuple[Any, ...] = (n, aggregate_id, version)
            for column, value in zip(c, expected, strict=True):
                column.append(value)
        for event_id in w.needs:
            needs[0].append(n)
            needs[1].append(event_id)
        if w.idempotency is not None:
            i = w.idempotency
            keyed: tuple[Any, ...] = (
                n,
                i.scope,
                i.key,
                i.fingerprint,
                json.dumps(w.answer_template()),
            )
            for column, value in zip(k, keyed, strict=True):
                column.append(value)
    return [*e, *c, *needs, *k, len(writes), LOCK_SECONDS]


def outcome_of(row: Any) -> Appended:
    status = row["status"]
    first = row["first_position"]
    if status == "key_taken":
        answer = stored_answer({"answer": row["answer"], "first_position": first})
        return Appended(status, None, row["fingerprint"], answer)
    return Appended(status, None if first is None else int(first))


def _matches(current: int, expected: int) -> bool:
    return current > 0 if expected == EXISTS else current == expected


def _key(aggregate_id: Any) -> str:
    return aggregate_id.hex if isinstance(aggregate_id, UUID) else str(aggregate_id)


class SQLiteAppend:
    """The steps of `jaga_append`, in Python, inside the caller's transaction."""

    def __init__(self, cursor: Any, d: Dialect, events_table: str) -> None:
        self.c = cursor
        self.d = d
        self.events_table = events_table

    def _one(self, sql: str, params: Sequence[Any]) -> Any:
        self.c.execute(sql, list(params))
        return self.c.fetchone()

    def _versions(self, writes: Sequence[PreparedWrite]) -> dict[str, int]:
        ids = list(dict.fromkeys(_key(i) for w in writes for i, _ in w.expects))
        seen: dict[str, int] = {}
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            self.c.execute(
                "SELECT originator_id, MAX(originator_version) AS v"
                f" FROM {self.events_table} WHERE originator_id IN"
                f" ({','.join('?' * len(part))}) GROUP BY originator_id",
                part,
            )
            seen.update({r["originator_id"]: int(r["v"]) for r in self.c.fetchall()})
        return seen

    def _decide(
        self,
        w: PreparedWrite,
        seen: dict[str, int],
        taken: set[tuple[str, str]],
        stored: set[str],
    ) -> Appended | None:
        """The outcome of a write that is not stored now; None if it is."""
        row = self._one(
            "SELECT position FROM jaga_log WHERE event_id = ?", [w.event_ids[0]]
        )
        if row is not None:
            return Appended("stored_before", int(row["position"]))
        if w.idempotency is not None:
            i = w.idempotency
            row = self._one(
                "SELECT fingerprint, answer, first_position FROM jaga_idempotency"
                " WHERE scope = ? AND key = ?",
                [i.scope, i.key],
            )
            if row is not None:
                return Appended(
                    "key_taken", None, row["fingerprint"], stored_answer(row)
                )
            if (i.scope, i.key) in taken:
                return Appended("conflict")
        if not all(_matches(seen.get(_key(a), 0), v) for a, v in w.expects):
            return Appended("conflict")
        for event_id in w.needs:
            if (
                event_id not in stored
                and self._one(
                    "SELECT 1 AS x FROM jaga_log WHERE event_id = ?", [event_id]
                )
                is None
            ):
                return Appended("conflict")
        return None

    def run(self, writes: Sequence[PreparedWrite], insert_event: str) -> list[Appended]:
        seen = self._versions(writes)
        taken: set[tuple[str, str]] = set()
        stored: set[str] = set()
        outcome: list[Appended | None] = []
        accepted: list[PreparedWrite] = []
        for w in writes:
            result = self._decide(w, seen, taken, stored)
            outcome.append(result)
            if result is None:
                accepted.append(w)
                if w.idempotency is not None:
                    taken.add((w.idempotency.scope, w.idempotency.key))
                for e in w.events:
                    seen[_key(e.originator_id)] = e.originator_version
                stored.update(w.event_ids)
        if not accepted:
            return [o for o in outcome if o is not None]
        size = int(
            self._one("SELECT COALESCE(MAX(position), 0) AS n FROM jaga_log", [])["n"]
        )
        firsts = iter(self._store(accepted, size, insert_event))
        return [
            o if o is not None else Appended("stored", next(firsts)) for o in outcome
        ]

    def _store(
        self, writes: Sequence[PreparedWrite], size: int, insert_event: str
    ) -> list[int]:
        # Every read comes before the first insert.
        leaves = [h for w in writes for h in w.leaf_hashes]
        nodes = nodes_to_append(size, leaves, CursorNodes(self.c, self.d))
        firsts: list[int] = []
        position = size
        for w in writes:
            firsts.append(position + 1)
            for event, event_id, leaf in zip(
                w.events, w.event_ids, w.leaf_hashes, strict=True
            ):
                self.c.execute(
                    insert_event,
                    [
                        _key(event.originator_id),
                        event.originator_version,
                        event.topic,
                        event.state,
                    ],
                )
                position += 1
                self.c.execute(
                    "INSERT INTO jaga_log (position, notification_id, event_id,"
                    " leaf_hash) VALUES (?, ?, ?, ?)",
                    [position, self.c.lastrowid, event_id, leaf],
                )
            if w.idempotency is not None:
                i = w.idempotency
                self.c.execute(
                    "INSERT INTO jaga_idempotency (scope, key, fingerprint, answer,"
                    " first_position) VALUES (?, ?, ?, ?, ?)",
                    [
                        i.scope,
                        i.key,
                        i.fingerprint,
                        json.dumps(w.answer_template()),
                        firsts[-1],
                    ],
                )
        for start in range(0, len(nodes), 300):
            part = nodes[start : start + 300]
            self.c.execute(
                "INSERT INTO jaga_merkle (level, idx, hash) VALUES "
                + ",".join(["(?,?,?)"] * len(part)),
                [x for node in part for x in node],
            )
        return firsts
