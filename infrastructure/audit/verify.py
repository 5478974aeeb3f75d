"""Verification of the live store: every stored event rehashed in position order,
every Merkle node and signed checkpoint checked, and the first bad position named."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from application.leaves import leaf_bytes
from infrastructure.audit.checkpoint import Checkpoint, verify_checkpoint
from infrastructure.audit.frontier import Frontier
from infrastructure.audit.merkle import leaf_hash, root

if TYPE_CHECKING:
    from infrastructure.audit.service import AuditService

VERIFY_BATCH = 1000


class LiveVerifier:
    """One pass over the log in position order, stopping at the first failure."""

    def __init__(
        self, service: AuditService, progress: Callable[[int], None] | None = None
    ) -> None:
        self.service = service
        self.progress = progress
        self.recorder = service.recorder
        self.frontier = Frontier()
        self._new: list[tuple[int, int, bytes]] = []

    def fail(self, position: int | None, reason: str) -> dict[str, Any]:
        # The log's own size, not how far the pass got.
        return {
            "ok": False,
            "tree_size": self.service.size(),
            "first_bad_position": position,
            "reason": reason,
        }

    def run(self) -> dict[str, Any]:
        checkpoints = sorted(self.service._stored(), key=lambda cp: cp.tree_size)
        for cp in checkpoints:
            if not verify_checkpoint(cp):
                return self.fail(
                    None, f"checkpoint of size {cp.tree_size} has a bad signature"
                )
        pending = list(checkpoints)
        good_size = 0
        rows: list[Any] = [None]
        while rows:
            while pending and pending[0].tree_size <= self.frontier.size:
                cp = pending.pop(0)
                failure = self._against(cp, good_size)
                if failure:
                    return failure
                good_size = cp.tree_size
            rows = self._rows(self.frontier.size)
            failure = self._leaves(rows) or self._nodes()
            if failure:
                return failure
            if self.progress is not None:
                self.progress(self.frontier.size)
        if pending:
            return self.fail(
                self.frontier.size + 1,
                f"the log ends at {self.frontier.size} but a checkpoint "
                f"vouches for {pending[-1].tree_size} events: removed",
            )
        failure = self._orphans()
        if failure:
            return failure
        return {
            "ok": True,
            "tree_size": self.frontier.size,
            "first_bad_position": None,
            "reason": None,
        }

    def _against(self, cp: Checkpoint, good_size: int) -> dict[str, Any] | None:
        if cp.tree_size == self.frontier.size:
            head = self.frontier.root()
        else:
            head = root(cp.tree_size, self.recorder)
        if head != cp.root_hash:
            return self.fail(
                good_size + 1,
                f"positions {good_size + 1}..{cp.tree_size} do not hash to the root "
                f"signed in the checkpoint of size {cp.tree_size}",
            )
        return None

    def _rows(self, after: int) -> list[Any]:
        table = self.recorder.events_table_name
        column = self.recorder.dialect.notification_column
        ph = self.recorder.dialect.ph
        with self.recorder.datastore.transaction(commit=False) as c:
            c.execute(
                "SELECT l.position, l.event_id AS log_event_id, l.leaf_hash,"
                " e.originator_id, e.originator_version, e.topic, e.state"
                f" FROM jaga_log l LEFT JOIN {table} e"
                f" ON e.{column} = l.notification_id"
                f" WHERE l.position > {ph} ORDER BY l.position LIMIT {ph}",
                [after, VERIFY_BATCH],
            )
            return list(c.fetchall())

    def _leaves(self, rows: list[Any]) -> dict[str, Any] | None:
        leaves: list[bytes] = []
        expected = self.frontier.size
        for row in rows:
            expected += 1
            position = int(row["position"])
            if position != expected:
                return self.fail(
                    expected, f"position {expected} is missing from the log"
                )
            if row["state"] is None:
                return self.fail(position, "the event is missing from the event table")
            try:
                record = self.service.app.record_of(row)
            except Exception as exc:  # any corruption of the stored bytes lands here
                return self.fail(position, f"the stored event cannot be decoded: {exc}")
            if record["event_id"] != row["log_event_id"]:
                return self.fail(position, "the event id differs from the log's")
            leaf = leaf_hash(leaf_bytes(record))
            if leaf != bytes(row["leaf_hash"]):
                return self.fail(
                    position,
                    "the event was altered: its leaf hash "
                    "differs from the one stored when written",
                )
            leaves.append(leaf)
        self._new = self.frontier.append(leaves)
        return None

    def _nodes(self) -> dict[str, Any] | None:
        by_level: dict[int, list[tuple[int, bytes]]] = {}
        for level, idx, digest in self._new:
            by_level.setdefault(level, []).append((idx, digest))
        ph = self.recorder.dialect.ph
        bad: list[int] = []
        with self.recorder.datastore.transaction(commit=False) as c:
            for level, nodes in by_level.items():
                c.execute(
                    f"SELECT idx, hash FROM jaga_merkle WHERE level={ph} AND "
                    f"idx >= {ph} AND idx <= {ph}",
                    [level, nodes[0][0], nodes[-1][0]],
                )
                stored = {int(r["idx"]): bytes(r["hash"]) for r in c.fetchall()}
                bad += [
                    (idx << level) + 1
                    for idx, digest in nodes
                    if stored.get(idx) != digest
                ]
        if bad:
            return self.fail(
                min(bad),
                "a stored Merkle node over this position differs "
                "from the one its events hash to",
            )
        return None

    def _orphans(self) -> dict[str, Any] | None:
        table = self.recorder.events_table_name
        column = self.recorder.dialect.notification_column
        with self.recorder.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT MIN(e.{column}) AS n FROM {table} e WHERE NOT EXISTS "
                f"(SELECT 1 FROM jaga_log l WHERE l.notification_id = e.{column})"
            )
            orphan = c.fetchone()["n"]
            if orphan is None:
                return None
            ph = self.recorder.dialect.ph
            c.execute(
                f"SELECT MIN(position) AS p FROM jaga_log WHERE notification_id > {ph}",
                [orphan],
            )
            after = c.fetchone()["p"]
        position = int(after) if after is not None else self.frontier.size + 1
        return self.fail(
            position, "an event was inserted into the event table outside the log"
        )
