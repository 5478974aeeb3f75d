"""The Jaga application: commands that record election-security events."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, TypeVar
from uuid import UUID, uuid4

from eventsourcing.application import (
    AggregateNotFoundError,
    Application,
    project_aggregate,
)
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import (
    JSONTranscoder,
    Mapper,
    StoredEvent,
)

from application.calendar import ElectionCalendar
from application.commands.base import unknown
from application.commands.duty import DutyCommands
from application.commands.incidents import IncidentCommands
from application.commands.neutrality import NeutralityCommands
from application.commands.patrols import PatrolCommands
from application.commands.reference import ReferenceCommands
from application.commit import Committer, DirectCommitter
from application.errors import CommandConflict, IdempotencyKeyReused, WriteNotStored
from application.leaves import LEAF_FORMAT, leaf_bytes, leaf_hash, new_salts
from application.records import event_record
from application.writes import (
    Appended,
    Context,
    EventStore,
    Expectation,
    Idempotency,
    PreparedWrite,
    fingerprint,
)
from domain.errors import DomainError, InvalidValue
from domain.site import Site
from domain.unit import Personnel, Unit
from domain.values import aware

A = TypeVar("A", bound=Aggregate)

LATE_AFTER = timedelta(minutes=15)
FUTURE_TOLERANCE = timedelta(minutes=5)
RETRIES = 12
REMEMBERED = 200_000  # ids and homes kept in memory before starting afresh


class LogStore(Protocol):
    """What the application needs from the store besides the library's recorder."""

    def find_answer(
        self, scope: str, key: str
    ) -> tuple[str, dict[str, Any]] | None: ...

    def find_stored(self, event_id: str) -> Any | None: ...

    def max_position(self) -> int: ...

    def read_stored(
        self, after: int, limit: int, until: int | None = None
    ) -> list[Any]:
        """Rows with position, leaf_hash, originator_id, originator_version, topic,
        state, in log order."""


class EnvelopeMapper(Mapper[UUID]):
    """Stores each event with its envelope (actor, times, tags) beside its fields.

    The envelope is for the log, not the domain: it is dropped when an aggregate
    is rebuilt from its events.
    """

    def stored_with(self, event: Any, meta: dict[str, Any]) -> StoredEvent:
        state = dict(vars(event))
        originator_id = state.pop("originator_id")
        originator_version = state.pop("originator_version")
        state["meta"] = meta
        return StoredEvent(
            originator_id=originator_id,
            originator_version=originator_version,
            topic=self.topic_of(event),
            state=self.transcoder.encode(state),
        )

    @staticmethod
    def topic_of(event: Any) -> str:
        from eventsourcing.utils import get_topic

        return get_topic(type(event))

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        event = super().to_domain_event(stored_event)
        vars(event).pop("meta", None)
        return event


class Jaga(
    ReferenceCommands,
    DutyCommands,
    PatrolCommands,
    IncidentCommands,
    NeutralityCommands,
    Application[UUID],
):
    name = "jaga"

    def __init__(
        self,
        env: dict[str, str] | None = None,
        calendar: ElectionCalendar | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(env)
        self.calendar = calendar or ElectionCalendar.load()
        self.clock = clock or (lambda: datetime.now(UTC))
        self.committer: Committer = DirectCommitter(self.store)
        # Facts read from the store that never change: registrations are never
        # undone, and a site's or unit's region, a person's unit, are fixed at
        # registration. A batch's view shares these but fills them only from the store.
        self.known_ids: set[UUID] = set()
        self.homes: dict[UUID, tuple[str | None, str | None]] = {}
        self.units_of: dict[UUID, str] = {}

    @property
    def log(self) -> LogStore:  # type: ignore[override]
        recorder: Any = self.recorder
        return recorder  # type: ignore[no-any-return]

    def construct_mapper(self) -> Mapper[UUID]:
        transcoder = self.construct_transcoder()
        return EnvelopeMapper(transcoder=transcoder)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)

    @property
    def store(self) -> EventStore:
        recorder: Any = self.recorder
        return recorder  # type: ignore[no-any-return]

    def use_committer(self, committer: Committer) -> None:
        self.committer.close()
        self.committer = committer

    def close(self) -> None:
        self.committer.close()
        closing = getattr(self.recorder, "close", None)
        if closing is not None:
            closing()
        super().close()

    # --- reading the log ----------------------------------------------------------

    def record_of(self, row: Any) -> dict[str, Any]:
        return event_record(
            row["topic"],
            UUID(str(row["originator_id"])),
            row["originator_version"],
            bytes(row["state"]),
            row["position"],
        )

    def records(
        self, after: int = 0, limit: int = 1000, until: int | None = None
    ) -> list[dict[str, Any]]:
        """Event records with position > after, in log order."""
        return [self.record_of(r) for r in self.log.read_stored(after, limit, until)]

    def find_record(self, event_id: str) -> dict[str, Any] | None:
        row = self.log.find_stored(event_id)
        return None if row is None else self.record_of(row)

    # --- reading aggregates -------------------------------------------------------

    def load(
        self,
        cls: type[A],
        aggregate_id: UUID,
        field: str,
        label: str,
        *,
        copy: bool = True,
    ) -> A:
        try:
            aggregate: Aggregate = self.repository.get(
                aggregate_id, deepcopy_from_cache=copy
            )
        except AggregateNotFoundError:
            raise unknown(field, label) from None
        if not isinstance(aggregate, cls):
            raise unknown(field, label)
        self._remember(aggregate)
        return aggregate

    def cached(self, aggregate_id: UUID) -> bool:
        """Whether the aggregate cache holds it (then `load` only fast-forwards it)."""
        cache = self.repository.cache
        return cache is not None and aggregate_id in cache.cache

    def preload(self, ids: Sequence[UUID]) -> dict[UUID, Aggregate | None]:
        """Private copies of the aggregates with these ids (None: no such aggregate),
        read together in a few queries. Ids in the aggregate cache are left out:
        `load` only fast-forwards those."""
        finder = getattr(self.log, "events_of", None)
        wanted = [i for i in ids if not self.cached(i)]
        if finder is None or not wanted:
            return {}
        found: dict[UUID, Aggregate | None] = dict.fromkeys(wanted)
        for aggregate_id, stored in finder(wanted).items():
            events = (self.mapper.to_domain_event(s) for s in stored)
            aggregate = project_aggregate(None, events)
            if isinstance(aggregate, Aggregate):
                self._remember(aggregate)
                found[aggregate_id] = aggregate
        return found

    def exists(self, aggregate_id: UUID) -> bool:
        if aggregate_id in self.known_ids:
            return True
        found = bool(self.recorder.select_events(aggregate_id, limit=1))
        if found:
            self._forget_all_if_full()
            self.known_ids.add(aggregate_id)
        return found

    def _remember(self, aggregate: Aggregate) -> None:
        self._forget_all_if_full()
        self.known_ids.add(aggregate.id)
        if isinstance(aggregate, (Site, Unit)):
            self.homes[aggregate.id] = (aggregate.province, aggregate.regency)
        elif isinstance(aggregate, Personnel):
            self.units_of[aggregate.id] = aggregate.unit_id

    def _forget_all_if_full(self) -> None:
        if len(self.known_ids) >= REMEMBERED:
            self.known_ids.clear()
            self.homes.clear()
            self.units_of.clear()

    def field_time(self, value: object, field: str = "occurred_at") -> datetime:
        """A field time: timezone-aware and not ahead of the server's clock."""
        if value is None:
            return self.clock()
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise InvalidValue(field, "must be a date and time with a timezone offset")
        if value - self.clock() > FUTURE_TOLERANCE:
            raise InvalidValue(field, "is in the future")
        return aware(value, field)

    # --- the command path ---------------------------------------------------------

    def execute(
        self,
        ctx: Context,
        command: str,
        args: dict[str, Any],
        act: Callable[[], tuple[str, Sequence[Aggregate]]],
    ) -> dict[str, Any]:
        """Runs `act` (load, decide, return the answer's id and changed aggregates),
        saves what it decided, and answers with the events' positions.

        Runs `act` again on fresh state when another writer changed what it was
        decided on, where the domain names the real reason if there is one.
        """
        idempotency = None
        if ctx.idempotency_key is not None:
            fp = ctx.fingerprint or fingerprint(command, args)
            idempotency = Idempotency(ctx.actor.id, ctx.idempotency_key, fp)
        # The earlier answer is looked up only when deciding fails or the store
        # says the key is taken: a key is stored with its write.
        for attempt in range(RETRIES):
            if attempt:
                # Writers that met on one version spread out before they try again.
                time.sleep(random.uniform(0, 0.002 * attempt))
            try:
                answer_id, aggregates = act()
                write = self.prepare(ctx, answer_id, aggregates, idempotency)
            except DomainError:
                # A repeat of a write that went through may no longer be allowed.
                if idempotency is not None:
                    earlier = self.replay(idempotency)
                    if earlier is not None:
                        return earlier
                raise
            [result] = self.save([write])
            answer = self.answer(write, result)
            if answer is not None:
                return answer
            self.forget(write)
        raise CommandConflict("the record changed too often while saving; try again")

    def save(self, writes: Sequence[PreparedWrite]) -> list[Appended]:
        """What the store did with each write; a store that fails answers 503."""
        try:
            return self.committer.submit(writes).result()
        except DomainError:
            raise
        except Exception as error:
            raise WriteNotStored(error) from error

    def answer(self, write: PreparedWrite, result: Appended) -> dict[str, Any] | None:
        """The caller's answer, or None when the write must be decided again."""
        if result.status in ("stored", "stored_before"):
            assert result.first_position is not None
            return write.answer(result.first_position)
        if result.status == "key_taken":
            assert write.idempotency is not None and result.earlier_answer is not None
            if result.earlier_fingerprint != write.idempotency.fingerprint:
                raise reused(write.idempotency.key)
            return result.earlier_answer
        return None

    def forget(self, write: PreparedWrite) -> None:
        """Drops what a write that met a changed record was decided on."""
        cache = self.repository.cache
        if cache is not None:
            for aggregate_id, _ in write.expects:
                cache.cache.pop(aggregate_id, None)

    def replay(self, idempotency: Idempotency) -> dict[str, Any] | None:
        found = self.log.find_answer(idempotency.scope, idempotency.key)
        if found is None:
            return None
        earlier_fp, answer = found
        if earlier_fp != idempotency.fingerprint:
            raise reused(idempotency.key)
        return answer

    def prepare(
        self,
        ctx: Context,
        answer_id: str,
        aggregates: Sequence[Aggregate],
        idempotency: Idempotency | None,
        reads: Sequence[Expectation] = (),
    ) -> PreparedWrite:
        """The write of what a command decided, with everything the store needs
        computed here, before its lock: stored events, leaves, expectations."""
        mapper = self.mapper
        assert isinstance(mapper, EnvelopeMapper)
        stored: list[StoredEvent] = []
        event_ids: list[str] = []
        types: list[str] = []
        times: list[str] = []
        leaves: list[bytes] = []
        expects: dict[UUID, int] = dict(reads)
        for aggregate in aggregates:
            pending = aggregate.collect_events()
            if pending:
                expects[aggregate.id] = pending[0].originator_version - 1
            for event in pending:
                occurred_at = getattr(event, "occurred_at", None) or event.timestamp
                election, stage = self.calendar.tag(occurred_at)
                meta = {
                    "event_id": str(uuid4()),
                    "actor": ctx.actor.as_dict(),
                    "client_id": ctx.client_id,
                    "idempotency_key": ctx.idempotency_key,
                    "correlation_id": ctx.correlation_id,
                    "election": election,
                    "stage": stage,
                    "late": event.timestamp - occurred_at > LATE_AFTER,
                    "leaf": LEAF_FORMAT,
                    "salts": new_salts(vars(event)),
                }
                s = mapper.stored_with(event, meta)
                record = event_record(
                    s.topic, s.originator_id, s.originator_version, s.state
                )
                try:
                    leaf = leaf_bytes(record)
                except ValueError as error:
                    raise InvalidValue("body", f"cannot be recorded: {error}") from None
                stored.append(s)
                event_ids.append(record["event_id"])
                types.append(record["type"])
                times.append(record["recorded_at"])
                leaves.append(leaf_hash(leaf))
        if not stored:
            raise CommandConflict("the command changed nothing")
        return PreparedWrite(
            answer_id,
            tuple(stored),
            tuple(event_ids),
            tuple(types),
            tuple(times),
            tuple(leaves),
            tuple(expects.items()),
            idempotency,
        )


def reused(key: str) -> IdempotencyKeyReused:
    return IdempotencyKeyReused(
        "this Idempotency-Key was used before with a different request",
        idempotency_key=key,
    )
