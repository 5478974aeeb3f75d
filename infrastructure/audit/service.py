"""The audit service: signed checkpoints, leaves, proofs, export bundles and the
verification of the live store, over the Merkle nodes the recorders keep."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import structlog

from application.app import Jaga
from application.records import canonical_bytes
from domain.errors import Conflict, InvalidValue, NotFound
from infrastructure.audit import bundle, migrations
from infrastructure.audit.checkpoint import (
    Checkpoint,
    checkpoint_from_json,
    key_id_for,
    load_or_create_signing_key,
    public_key_bytes,
    sign_checkpoint,
    verify_checkpoint,
)
from infrastructure.audit.frontier import Frontier, frontier_keys
from infrastructure.audit.merkle import (
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root,
    verify_consistency,
)
from infrastructure.settings import Settings

log = structlog.get_logger(__name__)

VERIFY_BATCH = 1000


class InvalidRange(InvalidValue, ValueError):
    """Positions or tree sizes outside the log, or in the wrong order."""

    @property
    def code(self) -> str:
        return "invalid_range"


class LogInconsistent(Conflict):
    """The stored tree no longer extends the last signed checkpoint."""


class AuditService:
    """What auditors ask of the log; every answer costs O(log n) reads but verify."""

    def __init__(
        self, app: Jaga, settings: Settings, clock: Callable[[], datetime] | None = None
    ) -> None:
        self.app = app
        self.recorder: Any = app.recorder
        self.origin = settings.log_origin
        self.key = load_or_create_signing_key(settings.signing_key_file)
        self.key_id = key_id_for(self.origin, public_key_bytes(self.key))
        self.clock = clock or (lambda: datetime.now(UTC))
        self._issue_lock = threading.Lock()
        self._stop = threading.Event()
        self._timer: threading.Thread | None = None
        migrations.install(self.recorder)

    # --- checkpoints ---------------------------------------------------------------

    def size(self) -> int:
        return self.app.log.max_position()

    def checkpoint(self) -> dict[str, Any]:
        """The latest signed checkpoint, issuing one first if the log grew."""
        return self.latest_checkpoint(issue=True).to_json()

    def latest_checkpoint(self, issue: bool = True) -> Checkpoint:
        with self._issue_lock:
            size = self.size()
            last = self._last_stored()
            if (
                last is not None
                and last.tree_size >= size
                and last.key_id == self.key_id
            ):
                return last
            if not issue and last is not None:
                return last
            return self._issue(size, last)

    def _issue(self, size: int, last: Checkpoint | None) -> Checkpoint:
        head = root(size, self.recorder)
        # Never sign over a history that lost what an earlier checkpoint vouched for.
        if last is not None and last.tree_size <= size:
            proof = consistency_proof(last.tree_size, size, self.recorder)
            if not verify_consistency(
                last.tree_size, size, last.root_hash, head, proof
            ):
                raise LogInconsistent(
                    "the stored tree does not extend the last checkpoint; "
                    "run `jaga verify`",
                    tree_size=last.tree_size,
                )
        cp = sign_checkpoint(self.key, self.origin, size, head, self.clock())
        ph = self.recorder.dialect.ph
        with self.recorder.datastore.transaction(commit=True) as c:
            c.execute(
                f"INSERT INTO {migrations.CHECKPOINTS} (tree_size, key_id, issued_at, "
                f"body) VALUES ({ph},{ph},{ph},{ph}) ON CONFLICT DO NOTHING",
                [
                    cp.tree_size,
                    cp.key_id,
                    cp.timestamp.isoformat(),
                    json.dumps(cp.to_json(), sort_keys=True),
                ],
            )
        log.info("checkpoint issued", tree_size=size, root_hash=head.hex())
        return cp

    def _stored(
        self, sql_tail: str = "", params: Sequence[Any] = ()
    ) -> list[Checkpoint]:
        with self.recorder.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT body FROM {migrations.CHECKPOINTS} {sql_tail}", list(params)
            )
            return [checkpoint_from_json(json.loads(r["body"])) for r in c.fetchall()]

    def _last_stored(self) -> Checkpoint | None:
        found = self._stored("ORDER BY tree_size DESC, issued_at DESC LIMIT 1")
        return found[0] if found else None

    def checkpoints(self) -> list[dict[str, Any]]:
        """Every checkpoint issued, oldest first."""
        return [cp.to_json() for cp in self._stored("ORDER BY tree_size, issued_at")]

    def start_timer(self, interval_seconds: float) -> None:
        """Issues a checkpoint every interval in a daemon thread, when the log grew."""
        if interval_seconds <= 0:
            raise InvalidRange("interval_seconds", "must be more than 0")
        if self._timer is not None:
            return
        self._stop.clear()
        self._timer = threading.Thread(
            target=self._tick,
            args=(interval_seconds,),
            name="checkpoint-timer",
            daemon=True,
        )
        self._timer.start()

    def stop_timer(self) -> None:
        self._stop.set()
        if self._timer is not None:
            self._timer.join(timeout=10)
            self._timer = None

    def _tick(self, interval: float) -> None:
        while not self._stop.wait(interval):
            try:
                self.latest_checkpoint(issue=True)
            except Exception:  # the timer must outlive a store outage
                log.exception("checkpoint timer failed")

    # --- leaves and proofs ---------------------------------------------------------

    def _check_position(self, position: int, size: int) -> None:
        if position < 1:
            raise InvalidRange("position", "must be 1 or more", position=position)
        if position > size:
            raise NotFound(
                f"no event at position {position}; the log has {size}",
                field="position",
                id=position,
            )

    def _check_size(self, tree_size: int, size: int, field: str = "tree_size") -> None:
        if not 0 <= tree_size <= size:
            raise InvalidRange(
                field,
                f"must be between 0 and the log size {size}",
                **{field: tree_size},
            )

    def leaf(self, position: int) -> dict[str, Any]:
        """The exact bytes hashed into leaf `position - 1`, and their hash."""
        self._check_position(position, self.size())
        rows = self.recorder.read_stored(position - 1, 1, position)
        if not rows:
            raise NotFound(
                f"the event at position {position} is missing from the store",
                field="position",
                id=position,
            )
        record = self.app.record_of(rows[0])
        data = canonical_bytes(record)
        return {
            "position": position,
            "leaf_hash": bytes(rows[0]["leaf_hash"]).hex(),
            "leaf": base64.b64encode(data).decode("ascii"),
            "event": record,
        }

    def inclusion_proof(self, position: int, tree_size: int) -> dict[str, Any]:
        """The RFC 6962 audit path of the event at `position` in tree `tree_size`."""
        size = self.size()
        self._check_position(position, size)
        self._check_size(tree_size, size)
        if position > tree_size:
            raise InvalidRange(
                "position",
                f"is not in the tree of size {tree_size}",
                position=position,
                tree_size=tree_size,
            )
        path = inclusion_proof(position - 1, tree_size, self.recorder)
        return {
            "leaf_index": position - 1,
            "tree_size": tree_size,
            "path": [h.hex() for h in path],
        }

    def consistency_proof(self, first: int, second: int) -> dict[str, Any]:
        """The RFC 6962 proof that tree `second` extends tree `first`."""
        size = self.size()
        self._check_size(first, size, "first")
        self._check_size(second, size, "second")
        if first > second:
            raise InvalidRange(
                "first", "must not be more than second", first=first, second=second
            )
        path = consistency_proof(first, second, self.recorder)
        return {"first": first, "second": second, "path": [h.hex() for h in path]}

    # --- export --------------------------------------------------------------------

    def export_bundle(self, from_position: int, to_position: int) -> bytes:
        """Positions from..to as a self-contained bundle (see bundle.py)."""
        cp = self.latest_checkpoint(issue=True)
        if from_position < 1 or to_position < from_position:
            raise InvalidRange(
                "from_position",
                "need 1 <= from_position <= to_position",
                from_position=from_position,
                to_position=to_position,
            )
        if to_position > cp.tree_size:
            raise InvalidRange(
                "to_position",
                f"the log has {cp.tree_size} events",
                to_position=to_position,
            )
        start = from_position - 1
        left = self.recorder.get_nodes(frontier_keys(start))
        proof = consistency_proof(to_position, cp.tree_size, self.recorder)
        events: list[tuple[dict[str, Any], bytes]] = []
        after = start
        while after < to_position:
            rows = self.recorder.read_stored(after, VERIFY_BATCH, to_position)
            if not rows:
                break
            for row in rows:
                events.append((self.app.record_of(row), bytes(row["leaf_hash"])))
            after = rows[-1]["position"]
        return bundle.write_bundle(
            cp,
            from_position,
            to_position,
            [(lv, i, left[(lv, i)]) for lv, i in frontier_keys(start)],
            proof,
            events,
        )

    # --- verification of the live store --------------------------------------------

    def verify(self) -> dict[str, Any]:
        """Recomputes every leaf and node from the stored events and checks them and
        every signed checkpoint; names the first position that fails."""
        return LiveVerifier(self).run()


class LiveVerifier:
    """One pass over the log in position order, stopping at the first failure."""

    def __init__(self, service: AuditService) -> None:
        self.service = service
        self.recorder = service.recorder
        self.frontier = Frontier()
        self._new: list[tuple[int, int, bytes]] = []

    def fail(self, position: int | None, reason: str) -> dict[str, Any]:
        return {
            "ok": False,
            "tree_size": self.frontier.size,
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
            leaf = leaf_hash(canonical_bytes(record))
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
