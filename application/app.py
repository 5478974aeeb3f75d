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
    RecordConflictError,
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
from application.errors import CommandConflict, IdempotencyKeyReused
from application.records import event_record
from application.writes import Context, Write, fingerprint
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
        self.committer: Committer = DirectCommitter(self.recorder)
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

    def use_committer(self, committer: Committer) -> None:
        self.committer.close()
        self.committer = committer

    def close(self) -> None:
        self.committer.close()
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

        Retries on an optimistic-concurrency conflict by running `act` again on
        fresh state, where the domain names the real reason if there is one.
        """
        idempotency = None
        if ctx.idempotency_key is not None:
            fp = ctx.fingerprint or fingerprint(command, args)
            idempotency = (ctx.actor.id, ctx.idempotency_key, fp)
        # The earlier answer is looked up only when deciding fails or the save
        # conflicts: a key is stored with its write, so a repeat cannot save again.
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
            try:
                self.committer.commit(write)
            except RecordConflictError:
                if idempotency is not None:
                    earlier = self.replay(idempotency)
                    if earlier is not None:
                        return earlier
                continue
            return write.answer()
        raise CommandConflict("the record changed too often while saving; try again")

    def replay(self, idempotency: tuple[str, str, str]) -> dict[str, Any] | None:
        scope, key, fp = idempotency
        found = self.log.find_answer(scope, key)
        if found is None:
            return None
        earlier_fp, answer = found
        if earlier_fp != fp:
            raise IdempotencyKeyReused(
                "this Idempotency-Key was used before with a different request",
                idempotency_key=key,
            )
        return answer

    def prepare(
        self,
        ctx: Context,
        answer_id: str,
        aggregates: Sequence[Aggregate],
        idempotency: tuple[str, str, str] | None,
    ) -> Write:
        mapper = self.mapper
        assert isinstance(mapper, EnvelopeMapper)
        stored: list[StoredEvent] = []
        records: list[dict[str, Any]] = []
        for aggregate in aggregates:
            for event in aggregate.collect_events():
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
                }
                s = mapper.stored_with(event, meta)
                stored.append(s)
                records.append(
                    event_record(
                        s.topic,
                        s.originator_id,
                        s.originator_version,
                        s.state,
                    )
                )
        if not stored:
            raise CommandConflict("the command changed nothing")
        return Write(answer_id, stored, records, idempotency)
