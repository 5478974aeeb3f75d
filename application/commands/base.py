"""What every command mixin relies on from the application it is mixed into."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from application.writes import Context
from domain.errors import NotFound
from domain.site import Site
from domain.values import named_id, slug

A = TypeVar("A", bound=Aggregate)
Answer = dict[str, Any]


class Commands:
    """Declares the application's helpers for the command mixins."""

    def execute(
        self,
        ctx: Context,
        command: str,
        args: dict[str, Any],
        act: Callable[[], tuple[str, Sequence[Aggregate]]],
    ) -> Answer:
        raise NotImplementedError

    def load(
        self,
        cls: type[A],
        aggregate_id: UUID,
        field: str,
        label: str,
        *,
        copy: bool = True,
    ) -> A:
        raise NotImplementedError

    def exists(self, aggregate_id: UUID) -> bool:
        raise NotImplementedError

    def field_time(self, value: object, field: str = "occurred_at") -> datetime:
        raise NotImplementedError

    def site(
        self, site_id: object, field: str = "site_id", *, copy: bool = True
    ) -> Site:
        """The site to act on; `copy=False` for a look that changes nothing, which
        spares copying a site with a long duty history."""
        sid = slug(site_id, field)
        return self.load(Site, named_id("site", sid), field, sid, copy=copy)

    def require(self, kind: str, value: object, field: str) -> str:
        """Checks that a registered unit or person has this id."""
        ident = slug(value, field)
        if not self.exists(named_id(kind, ident)):
            raise NotFound(f"unknown {kind}: {ident}", field=field, id=ident)
        return ident

    def require_all(self, kind: str, values: object, field: str) -> None:
        if isinstance(values, (list, tuple)):
            for i, value in enumerate(values):
                self.require(kind, value, f"{field}[{i}]")


def uuid_of(value: object, field: str) -> UUID:
    """A server-made id from a path; anything else is an unknown id."""
    try:
        return UUID(str(value))
    except ValueError:
        raise unknown(field, str(value)) from None


def unknown(field: str, label: str) -> NotFound:
    """The error for an id that names nothing of its kind: `unknown site: x`."""
    kind = field.removesuffix("_id")
    return NotFound(f"unknown {kind}: {label}", field=field, id=label)
