"""The Jaga application: runs commands that record election-security events, and
reads the log and the aggregates they decide on."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.application import Application, project_aggregate
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import JSONTranscoder, Mapper, StoredEvent

from application.aggregates import Aggregates
from application.attachments import NO_UPLOADS, Uploads
from application.calendar import ElectionCalendar
from application.commands import COMMANDS  # noqa: F401 - every command registered
from application.commands.registry import Command
from application.commit import Committer, DirectCommitter
from application.projections.anomalies import Limits
from application.records import event_record
from application.saving import Saving
from application.writes import Context, EventStore
from domain.site import Site
from domain.unit import Personnel, Unit
from domain.values import named_id

LATE_AFTER = timedelta(minutes=15)
FUTURE_TOLERANCE = timedelta(minutes=5)
REMEMBERED = 200_000  # ids and homes kept in memory before starting afresh


class LogStore(Protocol):
    """What the application reads of the store besides the library's recorder."""

    def find_answer(
        self, scope: str, key: str
    ) -> tuple[str, dict[str, Any]] | None: ...

    def find_answers(
        self, pairs: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], tuple[str, dict[str, Any]]]: ...

    def find_stored(self, event_id: str) -> Any | None: ...

    def max_position(self) -> int: ...

    def known_ids(self, ids: Sequence[UUID]) -> set[UUID]: ...

    def events_of(self, ids: Sequence[UUID]) -> dict[UUID, list[StoredEvent]]: ...

    def read_stored(
        self, after: int, limit: int, until: int | None = None
    ) -> list[Any]:
        """Rows with position, leaf_hash, originator_id, originator_version, topic,
        state, in log order."""
        ...


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


class Jaga(Saving, Application[UUID]):
    name = "jaga"
    late_after = LATE_AFTER
    future_tolerance = FUTURE_TOLERANCE

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
        # registration.
        self.known_ids: set[UUID] = set()
        self.homes: dict[UUID, tuple[str | None, str | None]] = {}
        self.units_of: dict[UUID, str] = {}
        self.aggregates = Aggregates()
        # The uploads' metadata that events may name; the wiring gives the store's.
        self.uploads: Uploads = NO_UPLOADS
        # Where a field fact becomes an anomaly; the wiring gives the settings'.
        self.anomaly_limits = Limits()

    @property
    def log(self) -> LogStore:  # type: ignore[override]
        recorder: Any = self.recorder
        return recorder  # type: ignore[no-any-return]

    @property
    def store(self) -> EventStore:
        recorder: Any = self.recorder
        return recorder  # type: ignore[no-any-return]

    def construct_mapper(self) -> Mapper[UUID]:
        return EnvelopeMapper(transcoder=self.construct_transcoder())

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)

    def use_committer(self, committer: Committer) -> None:
        self.committer.close()
        self.committer = committer

    def close(self) -> None:
        self.committer.close()
        closing = getattr(self.recorder, "close", None)
        if closing is not None:
            closing()
        super().close()

    # --- running commands -----------------------------------------------------------

    def run(self, ctx: Context, command: Command) -> dict[str, Any]:
        """Runs one command and answers with the events it recorded."""
        from application.running import run

        return run(self, ctx, command)

    async def run_async(self, ctx: Context, command: Command) -> dict[str, Any]:
        """`run` on the event loop, when the command can be decided from memory."""
        from application.running import run_async

        return await run_async(self, ctx, command)

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

    def load(self, aggregate_id: UUID) -> Aggregate | None:
        """The aggregate as last seen (shared: not to be changed), from memory when
        it is there, else from the store; None when nothing has that id."""
        found = self.aggregates.get(aggregate_id)
        if found is not None:
            return found
        return self.load_many([aggregate_id])[aggregate_id]

    def load_many(self, ids: Sequence[UUID]) -> dict[UUID, Aggregate | None]:
        """The aggregates as the store has them now, read together in a few
        queries, and kept in memory."""
        found: dict[UUID, Aggregate | None] = dict.fromkeys(ids)
        for aggregate_id, stored in self.log.events_of(list(ids)).items():
            events = (self.mapper.to_domain_event(s) for s in stored)
            aggregate = project_aggregate(None, events)
            if isinstance(aggregate, Aggregate):
                found[aggregate_id] = aggregate
        self.keep([a for a in found.values() if a is not None])
        return found

    def keep(self, aggregates: Sequence[Aggregate]) -> None:
        """Aggregates as the store now has them, after a write that stored them."""
        for aggregate in aggregates:
            self._remember(aggregate)
        self.aggregates.put(aggregates)

    def in_memory(self, references: Sequence[tuple[str, str]]) -> bool:
        """Whether a command naming these can be decided without reading the store."""
        for kind, ident in references:
            if kind == "unit":
                if named_id(kind, ident) not in self.homes:
                    return False
            elif kind == "personnel":
                unit = self.units_of.get(named_id(kind, ident))
                if unit is None or named_id("unit", unit) not in self.homes:
                    return False
            elif kind == "site":
                if named_id(kind, ident) not in self.aggregates:
                    return False
            elif kind == "event":
                return False
            else:
                try:
                    if UUID(ident) not in self.aggregates:
                        return False
                except ValueError:
                    return False
        return True

    def exists(self, aggregate_id: UUID) -> bool:
        if aggregate_id in self.known_ids:
            return True
        found = bool(self.recorder.select_events(aggregate_id, limit=1))
        if found:
            self._forget_all_if_full()
            self.known_ids.add(aggregate_id)
        return found

    def existing(self, ids: Sequence[UUID]) -> set[UUID]:
        """Which of these have been recorded, in a few queries."""
        unknown = [i for i in ids if i not in self.known_ids]
        present = self.log.known_ids(unknown) if unknown else set()
        self._forget_all_if_full()
        self.known_ids |= present
        return {i for i in ids if i in self.known_ids}

    def site_home(self, site_id: str) -> tuple[str | None, str | None] | None:
        """A site's province and regency; None if no site has that id."""
        return self._home(Site, named_id("site", site_id))

    def unit_home(self, unit_id: str) -> tuple[str | None, str | None] | None:
        """A unit's province and regency; None if no unit has that id."""
        return self._home(Unit, named_id("unit", unit_id))

    def _home(
        self, cls: type[Site | Unit], aggregate_id: UUID
    ) -> tuple[str | None, str | None] | None:
        home = self.homes.get(aggregate_id)
        if home is None:
            found = self.load(aggregate_id)
            if not isinstance(found, cls):
                return None
            home = (found.province, found.regency)
        return home

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
