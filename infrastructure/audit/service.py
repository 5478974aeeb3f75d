"""The audit service: signed and witnessed checkpoints, leaves, proofs, export
bundles and the verification of the live store, over the Merkle nodes the recorders
keep."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import structlog

from application.app import Jaga
from application.leaves import leaf_bytes, redact
from application.redaction import AuditView
from domain.errors import NotFound
from infrastructure.audit import bundle, migrations
from infrastructure.audit.checkpoint import (
    Checkpoint,
    checkpoint_from_json,
    key_id_for,
    load_or_create_signing_key,
    public_key_bytes,
    sign_checkpoint,
)
from infrastructure.audit.errors import InvalidRange, LogInconsistent, SigningKeyMissing
from infrastructure.audit.frontier import frontier_keys
from infrastructure.audit.merkle import (
    consistency_proof,
    inclusion_proof,
    root,
    verify_consistency,
)
from infrastructure.audit.note import Verifier, log_verifier
from infrastructure.audit.verify import VERIFY_BATCH, LiveVerifier
from infrastructure.audit.witnessing import Witnessing, due
from infrastructure.settings import Settings

log = structlog.get_logger(__name__)


class AuditService:
    """What auditors ask of the log; every answer costs O(log n) reads but verify.

    A server makes its signing key on first start (`create_key`); the command line
    never does: a key made by a command run in the wrong folder would sign."""

    def __init__(
        self,
        app: Jaga,
        settings: Settings,
        clock: Callable[[], datetime] | None = None,
        *,
        create_key: bool = True,
    ) -> None:
        self.app = app
        self.recorder: Any = app.recorder
        self.origin = settings.log_origin
        self.key_file = settings.signing_key_file
        if create_key or self.key_file.exists():
            self.key: Any = load_or_create_signing_key(self.key_file)
            raw = public_key_bytes(self.key)
            self.key_id = key_id_for(self.origin, raw)
            self.verifier: Any = log_verifier(self.origin, raw)
        else:
            self.key, self.key_id, self.verifier = None, "", None
        self.clock = clock or (lambda: datetime.now(UTC))
        self._issue_lock = threading.Lock()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._publishing = threading.Lock()
        self._timer: threading.Thread | None = None
        migrations.install(self.recorder)
        self.witnessing = Witnessing(self, settings.witnesses)

    # --- checkpoints ---------------------------------------------------------------

    def size(self) -> int:
        return self.app.log.max_position()

    def checkpoint(self) -> dict[str, Any]:
        """The latest signed checkpoint with the cosignatures it has so far, issuing
        one first if the log grew; the timer is woken to take it to the witnesses."""
        cp = self.latest_checkpoint(issue=True)
        answer = self.witnessing.checkpoint_json(cp)
        if any(
            w["cosigned_size"] < cp.tree_size and due(w["attempted_at"])
            for w in answer["witnesses"]
        ):
            if self._timer is not None:
                self._wake.set()
            else:  # the timer runs in the leader, maybe another process
                self._publish_soon()
        return answer

    def _publish_soon(self) -> None:
        """Takes the checkpoint to the witnesses in the background, one at a time
        in this process (publish is safe beside the leader's own)."""
        if not self._publishing.acquire(blocking=False):
            return

        def run() -> None:
            try:
                self.publish()
            except Exception:  # a witness or store outage is shown, not raised
                log.exception("checkpoint publish failed")
            finally:
                self._publishing.release()

        threading.Thread(target=run, name="checkpoint-publish", daemon=True).start()

    def publish(self) -> Checkpoint:
        """Issues a checkpoint if the log grew, then takes the latest to every
        witness that has not cosigned it: the one call the checkpoint leader makes.

        Safe in several processes at once: a checkpoint of a size is stored once
        (its signature is deterministic), a witness that already cosigned it answers
        409 with its size and cosigns it again, and a cosignature is kept once."""
        cp = self.latest_checkpoint(issue=True)
        self.witnessing.submit(cp)
        return cp

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
        if self.key is None:
            raise SigningKeyMissing(
                f"no signing key at {self.key_file}",
                field="signing_key_file",
                id=str(self.key_file),
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

    def stored_at(self, tree_size: int) -> Checkpoint | None:
        """This key's checkpoint of that size, if one was issued."""
        ph = self.recorder.dialect.ph
        found = self._stored(
            f"WHERE tree_size = {ph} AND key_id = {ph}", [tree_size, self.key_id]
        )
        return found[0] if found else None

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
        self._wake.set()
        if self._timer is not None:
            self._timer.join(timeout=10)
            self._timer = None

    def _tick(self, interval: float) -> None:
        while not self._stop.is_set():
            self._wake.wait(interval)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self.publish()
            except Exception:  # the timer must outlive a store or witness outage
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

    def leaf(self, position: int, view: AuditView | None = None) -> dict[str, Any]:
        """The exact bytes hashed into leaf `position - 1`, and their hash; the
        event without the values `view` hides at its position."""
        self._check_position(position, self.size())
        rows = self.recorder.read_stored(position - 1, 1, position)
        if not rows:
            raise NotFound(
                f"the event at position {position} is missing from the store",
                field="position",
                id=position,
            )
        record = self.app.record_of(rows[0])
        data = leaf_bytes(record)
        if view is not None:
            record = redact(record, view.hidden(position))
            if record.get("withheld"):
                raise NotFound(
                    f"the leaf at position {position} (format 1) holds values "
                    "withheld from this key",
                    field="position",
                    id=position,
                )
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

    def export_end(self) -> int:
        """Where an export ends by default: the best-witnessed checkpoint's size
        when witnesses are configured (so the bundle carries their cosignatures),
        else the log's end."""
        latest = self.latest_checkpoint(issue=True)
        return self.witnessing.bundle_checkpoint(0, latest).tree_size

    def export_lines(
        self, from_position: int, to_position: int, view: AuditView | None = None
    ) -> Iterator[bytes]:
        """Positions from..to as a self-contained bundle (see bundle.py), a line at a
        time, against the checkpoint that covers them with the most witnesses'
        cosignatures; each event without the values `view` hides at its position.
        The range is checked and the checkpoint chosen before the first line, so a
        bad range is an error, not a broken stream."""
        latest = self.latest_checkpoint(issue=True)
        cp = self.witnessing.bundle_checkpoint(to_position, latest)
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
        return bundle.bundle_lines(
            cp,
            from_position,
            to_position,
            [(lv, i, left[(lv, i)]) for lv, i in frontier_keys(start)],
            consistency_proof(to_position, cp.tree_size, self.recorder),
            self._events(start, to_position, view),
            self.witnessing.cosignatures.on(cp.note),
            redacted=view is not None,
        )

    def _events(
        self, after: int, last: int, view: AuditView | None
    ) -> Iterator[tuple[dict[str, Any], bytes]]:
        # One read per batch, none held open between them.
        while after < last:
            rows = self.recorder.read_stored(after, VERIFY_BATCH, last)
            if not rows:
                return
            for row in rows:
                record = self.app.record_of(row)
                if view is not None:
                    record = redact(record, view.hidden(row["position"]))
                yield record, bytes(row["leaf_hash"])
            after = rows[-1]["position"]

    def export_bundle(
        self, from_position: int, to_position: int, view: AuditView | None = None
    ) -> bytes:
        """The whole bundle in memory (see `export_lines`)."""
        return b"".join(self.export_lines(from_position, to_position, view))

    # --- verification of the live store --------------------------------------------

    def verify(
        self,
        witnesses: Sequence[Verifier] = (),
        quorum: int = 0,
        progress: Callable[[int], None] | None = None,
    ) -> dict[str, Any]:
        """Recomputes every leaf and node from the stored events and checks them and
        every signed checkpoint; names the first position that fails. With a quorum,
        also holds the log to what the named witnesses cosigned (kept here, and the
        latest each of them holds), and names the fork if it differs."""
        result = LiveVerifier(self, progress).run()
        if not result["ok"] or (quorum == 0 and not witnesses):
            return result
        return self.witnessing.judge(result, witnesses, quorum)
