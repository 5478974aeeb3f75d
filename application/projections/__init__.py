"""Pure view logic: for each view, how one event record changes one view document."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from application.projections import (
    alerts,
    board,
    custody,
    gaps,
    incidents,
    patrols,
    register,
    stats,
)
from application.projections.common import Doc, Record, kind_of

Apply = Callable[[Doc | None, Record, str], Doc | None]


@dataclass(frozen=True)
class View:
    """A folded view: documents keyed by subject (`site:...`), changed by `apply`."""

    name: str
    kinds: tuple[str, ...]
    apply: Apply
    # The event types `apply` acts on: for any other, it returns the document as it
    # was, so the runner skips them (corrections are always recomputed).
    types: frozenset[str]
    snapshots: bool = False  # keeps per-position snapshots for "as of" answers

    def keys(self, record: Record) -> list[str]:
        return [s for s in record["subjects"] if kind_of(s) in self.kinds]


def routes(views: list[View]) -> dict[str, list[View]]:
    """The views that keep documents of each subject kind."""
    found: dict[str, list[View]] = {}
    for view in views:
        for kind in view.kinds:
            found.setdefault(kind, []).append(view)
    return found


FOLDED: dict[str, View] = {
    v.name: v
    for v in (
        View("board", board.KINDS, board.apply, board.TYPES, snapshots=True),
        View("incidents", incidents.KINDS, incidents.apply, incidents.TYPES),
        View("patrols", patrols.KINDS, patrols.apply, patrols.TYPES),
        View("register", register.KINDS, register.apply, register.TYPES),
        View("custody", custody.KINDS, custody.apply, custody.TYPES),
        View("gaps", gaps.KINDS, gaps.apply, gaps.TYPES),
        View("stats", stats.KINDS, stats.apply, stats.TYPES),
        View("alerts", alerts.KINDS, alerts.apply, alerts.TYPES),
    )
}


def fold(
    view: View,
    key: str,
    records: list[Record],
    doc: Doc | None = None,
) -> Doc | None:
    """The document after `records` (already corrected), corrections themselves
    skipped: it is how a document is recomputed when one of its events is corrected."""
    for record in records:
        if record["type"] in view.types:  # never EntryCorrected
            doc = view.apply(doc, record, key)
    return doc
