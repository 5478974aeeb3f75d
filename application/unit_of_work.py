"""The unit of work: what one command, or a batch of them, sees of the store.

Aggregates are read through it once and kept for the unit; what a command changes
goes into its overlay, so the next command of a batch decides on it before
anything is saved; and for each command it notes the versions it read, so the
store refuses the write if another writer changed them meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from copy import deepcopy
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from application.attachments import checked_attachments
from application.writes import Expectation
from domain.errors import InvalidValue, NotFound
from domain.site import Site
from domain.values import named_id

if TYPE_CHECKING:
    from application.app import Jaga
    from application.commands.fields import AttachmentRef

A = TypeVar("A", bound=Aggregate)

# Kinds of thing a command names by a slug; the others are named by server-made ids.
SLUG_KINDS = ("site", "unit", "personnel")


def unknown(field: str, label: str) -> NotFound:
    """The error for an id that names nothing of its kind: `unknown site: x`."""
    kind = field.split("[", 1)[0].removesuffix("_id").removesuffix("_ids")
    return NotFound(f"unknown {kind}: {label}", field=field, id=label)


def server_id(value: str, field: str) -> UUID:
    """A server-made id; anything that is not one names nothing."""
    try:
        return UUID(value)
    except ValueError:
        raise unknown(field, value) from None


class UnitOfWork:
    def __init__(self, app: Jaga) -> None:
        self.app = app
        self.overlay: dict[UUID, Aggregate] = {}
        # The events that made each overlay aggregate what it is (not stored yet).
        self.made_by: dict[UUID, tuple[str, ...]] = {}
        self.loaded: dict[UUID, Aggregate | None] = {}
        self.known: dict[UUID, bool] = {}
        self.found_records: dict[str, dict[str, Any] | None] = {}
        self.reads: dict[UUID, int] = {}
        self.needs: dict[str, None] = {}
        self.clock: Callable[[], datetime] = app.clock

    # --- one command at a time ----------------------------------------------------

    def begin(self, clock: Callable[[], datetime] | None = None) -> None:
        """Starts a command on its clock: what it reads is noted afresh."""
        self.reads = {}
        self.needs = {}
        self.clock = clock or self.app.clock

    def expectations(self) -> list[Expectation]:
        """The versions the current command read: the store checks them."""
        return list(self.reads.items())

    def keep(self, aggregates: Iterable[Aggregate], events: tuple[str, ...]) -> None:
        """What a command changed, and the events it will store for that, for the
        unit's later commands to decide on."""
        for aggregate in aggregates:
            self.overlay[aggregate.id] = aggregate
            self.made_by[aggregate.id] = events

    def _saw(self, aggregate: Aggregate) -> None:
        self.reads.setdefault(aggregate.id, aggregate.version)
        for event_id in self.made_by.get(aggregate.id, ()):
            self.needs[event_id] = None

    # --- reading ------------------------------------------------------------------

    def get(
        self, cls: type[A], aggregate_id: UUID, field: str, label: str, *, change: bool
    ) -> A:
        """The aggregate to act on: a private copy to `change`, else a shared one
        the command must only look at."""
        found = self.overlay.get(aggregate_id)
        if found is None:
            if aggregate_id not in self.loaded:
                self.loaded[aggregate_id] = self.app.load(aggregate_id)
            found = self.loaded[aggregate_id]
        if not isinstance(found, cls):
            raise unknown(field, label)
        self._saw(found)
        return deepcopy(found) if change else found

    def site(self, site_id: str, field: str = "site_id", *, change: bool) -> Site:
        return self.get(Site, named_id("site", site_id), field, site_id, change=change)

    def active_site(self, site_id: str, field: str = "site_id") -> Site:
        """A site that is still guarded, to record something at (not to change)."""
        site = self.site(site_id, field, change=False)
        site.require_active()
        return site

    def exists(self, kind: str, ident: str) -> bool:
        aggregate_id = named_id(kind, ident)
        if aggregate_id in self.overlay:
            self._saw(self.overlay[aggregate_id])
            return True
        if aggregate_id not in self.known:
            self.known[aggregate_id] = self.app.exists(aggregate_id)
        # Registrations are never undone: no version needs checking.
        return self.known[aggregate_id]

    def require(
        self, kind: str, idents: str | Iterable[str] | None, field: str
    ) -> None:
        """Checks that every id names a registered unit or person."""
        if idents is None:
            return
        many = not isinstance(idents, str)
        for i, ident in enumerate([idents] if isinstance(idents, str) else idents):
            if not self.exists(kind, ident):
                raise unknown(f"{field}[{i}]" if many else field, ident)

    def record(self, event_id: str) -> dict[str, Any] | None:
        if event_id not in self.found_records:
            self.found_records[event_id] = self.app.find_record(event_id)
        return self.found_records[event_id]

    def attachments(
        self, refs: Sequence[AttachmentRef] | None, field: str = "attachments"
    ) -> list[dict[str, Any]]:
        """The files as the event names them; each must have been uploaded with
        that size and type (422 naming the field, e.g. attachments[1].size)."""
        if not refs:
            return []
        return checked_attachments(
            [r.model_dump() for r in refs], self.app.uploads, field
        )

    def field_time(
        self, value: datetime | None, field: str = "occurred_at"
    ) -> datetime:
        """A field time not ahead of the server's clock; none given is now."""
        now = self.clock()
        if value is None:
            return now
        if value - now > self.app.future_tolerance:
            raise InvalidValue(field, "is in the future")
        return value

    # --- reading ahead --------------------------------------------------------------

    def preload(self, references: Iterable[tuple[str, str]]) -> None:
        """Reads together, in a few queries, what commands will name: existence of
        units and people, and the aggregates behind sites and server-made ids."""
        names: set[UUID] = set()
        aggregates: set[UUID] = set()
        for kind, ident in references:
            if kind in ("unit", "personnel"):
                names.add(named_id(kind, ident))
            elif kind == "site":
                aggregates.add(named_id(kind, ident))
            elif kind != "event":
                try:
                    aggregates.add(UUID(ident))
                except ValueError:
                    continue
        missing = [i for i in names if i not in self.known]
        if missing:
            present = self.app.existing(missing)
            self.known.update({i: i in present for i in missing})
        wanted = [i for i in aggregates if i not in self.loaded]
        if wanted:
            self.loaded.update(self.app.load_many(wanted))
