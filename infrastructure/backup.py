"""Backup and restore of the whole log, event-sourcing style.

A backup is an export bundle (infrastructure/audit/bundle.py) of positions 1..N
against a checkpoint signed over exactly N, so `jaga verify BACKUP` checks it
offline; each event line also carries the stored event's exact bytes (`stored`:
aggregate id, version, topic and state, base64), since a record can be read back
from them but not the other way round. A restore checks everything before it writes
anything: the bundle verifies, and every stored event reads back as its verified
record. Then it appends the events through the store's own append, in order, with
their leaf hashes, so positions, leaves and Merkle nodes come back identical (and
the root equals the signed one); it keeps the backup's checkpoint and rebuilds
every view. Idempotency answers and API keys are not part of the log: they are not
in a backup.
"""

from __future__ import annotations

import base64
import json
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from application.app import Jaga
from application.records import event_record
from application.writes import PreparedWrite
from domain.errors import Conflict, InvalidValue
from infrastructure.audit import bundle, migrations
from infrastructure.audit.checkpoint import checkpoint_from_json
from infrastructure.audit.merkle import root
from infrastructure.audit.service import AuditService
from infrastructure.audit.verify import VERIFY_BATCH

APPEND_BATCH = 500
Progress = Callable[[int], None]


class NotEmpty(Conflict):
    """A restore goes into an empty store only."""

    @property
    def code(self) -> str:
        return "store_not_empty"


class BadBackup(InvalidValue):
    """The file is not a backup this store can take back."""

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__("bundle", message, position=position)
        self.position = position

    @property
    def code(self) -> str:
        return "bad_backup"


def backup_lines(audit: AuditService) -> tuple[int, Iterator[bytes]]:
    """The log's size now and its backup, a line at a time in constant memory;
    writes after this moment are not in it."""
    cp = audit.latest_checkpoint(issue=True)
    if cp.tree_size != audit.size():  # the log grew since: sign its end now
        cp = audit._issue(audit.size(), cp)
    size = cp.tree_size
    recorder = audit.recorder
    rows: deque[Any] = deque()

    def events() -> Iterator[tuple[dict[str, Any], bytes]]:
        after = 0
        while after < size:
            batch = recorder.read_stored(after, VERIFY_BATCH, size)
            if not batch:
                return
            for row in batch:
                rows.append(row)
                yield audit.app.record_of(row), bytes(row["leaf_hash"])
            after = batch[-1]["position"]

    def lines() -> Iterator[bytes]:
        cosigned = audit.witnessing.cosignatures.on(cp.note)
        for line in bundle.bundle_lines(cp, 1, size, [], [], events(), cosigned):
            if not rows:  # the lines before the events
                obj = json.loads(line)
                if obj["kind"] == "header":
                    obj["backup"] = True
                    line = _line(obj)
                yield line
                continue
            row = rows.popleft()  # the event this line was made from
            obj = json.loads(line)
            obj["stored"] = {
                "aggregate_id": str(row["originator_id"]),
                "version": int(row["originator_version"]),
                "topic": row["topic"],
                "state": base64.b64encode(bytes(row["state"])).decode("ascii"),
            }
            yield _line(obj)

    return size, lines()


def _line(obj: dict[str, Any]) -> bytes:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False).encode("utf-8") + b"\n"


def _objects(path: Path) -> Iterator[dict[str, Any]]:
    with path.open("rb") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def _stored(obj: dict[str, Any]) -> StoredEvent:
    position = obj.get("position")
    stored = obj.get("stored")
    if not isinstance(stored, dict):
        raise BadBackup("an event without its stored bytes: not a backup", position)
    try:
        event = StoredEvent(
            originator_id=UUID(stored["aggregate_id"]),
            originator_version=int(stored["version"]),
            topic=str(stored["topic"]),
            state=base64.b64decode(stored["state"], validate=True),
        )
        record = event_record(
            event.topic,
            event.originator_id,
            event.originator_version,
            event.state,
            position,
        )
    except (KeyError, ValueError, TypeError):
        raise BadBackup("its stored bytes cannot be read", position) from None
    if record != obj.get("record"):
        raise BadBackup("its stored bytes differ from its verified record", position)
    return event


def check(path: Path, progress: Progress | None = None) -> int:
    """Every stored event reads back as its (verified) record; the event count."""
    objects = _objects(path)
    header = next(objects, None)
    if not header or header.get("kind") != "header" or not header.get("backup"):
        raise BadBackup("not a backup made by `jaga backup`")
    if header.get("from_position") != 1:
        raise BadBackup("a backup starts at position 1")
    count = 0
    for obj in objects:
        if obj.get("kind") == "event":
            _stored(obj)
            count += 1
            if progress is not None and count % 1000 == 0:
                progress(count)
    if count != header.get("to_position"):
        raise BadBackup("the events do not reach the header's last position")
    return count


def restore(app: Jaga, path: Path, progress: Progress | None = None) -> dict[str, Any]:
    """Appends a checked backup to an empty store; what was restored."""
    if app.log.max_position() != 0:
        raise NotEmpty(
            f"the store already holds {app.log.max_position()} events; "
            "restore into an empty store"
        )
    checkpoint: dict[str, Any] | None = None
    batch: list[PreparedWrite] = []
    done = 0

    def flush() -> None:
        nonlocal done
        first = done + 1
        outcomes = app.store.append(batch)
        for n, outcome in enumerate(outcomes):
            if outcome.status != "stored" or outcome.first_position != first + n:
                raise Conflict(
                    "the store changed during the restore (is a server running on "
                    f"it?): position {first + n} was {outcome.status}"
                )
        done += len(batch)
        batch.clear()
        if progress is not None:
            progress(done)

    for obj in _objects(path):
        if obj.get("kind") == "checkpoint":
            checkpoint = obj
        if obj.get("kind") != "event":
            continue
        record = obj["record"]
        batch.append(
            PreparedWrite(
                answer_id=record["event_id"],
                events=(_stored(obj),),
                event_ids=(record["event_id"],),
                types=(record["type"],),
                recorded_at=(record["recorded_at"],),
                leaf_hashes=(bytes.fromhex(obj["leaf_hash"]),),
                expects=(),
            )
        )
        if len(batch) >= APPEND_BATCH:
            flush()
    if batch:
        flush()
    assert checkpoint is not None  # the bundle verified: it has one
    cp = checkpoint_from_json(checkpoint)
    recorder: Any = app.recorder
    if root(done, recorder) != cp.root_hash or cp.tree_size != done:
        raise Conflict("the restored tree's root differs from the signed one")
    _keep_checkpoint(app, cp)
    return {"events": done, "root_hash": cp.root_hash.hex(), "key_id": cp.key_id}


def _keep_checkpoint(app: Jaga, cp: Any) -> None:
    """The backup's signed checkpoint, so the restored log is held to it."""
    recorder: Any = app.recorder
    migrations.install(recorder)
    ph = recorder.dialect.ph
    with recorder.datastore.transaction(commit=True) as c:
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
