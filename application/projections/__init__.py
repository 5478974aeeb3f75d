"""Pure view logic: for each view, how one event record changes one view document."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from application.projections import (
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
    snapshots: bool = False  # keeps per-position snapshots for "as of" answers

    def keys(self, record: Record) -> list[str]:
        return [s for s in record["subjects"] if kind_of(s) in self.kinds]

    def keys_by_kind(self, subjects: dict[str, list[str]]) -> list[str]:
        """The keys among subjects already grouped by kind (the runner's fast path)."""
        if len(self.kinds) == 1:
            return subjects.get(self.kinds[0], [])
        return [s for kind in self.kinds for s in subjects.get(kind, [])]


def by_kind(subjects: list[str]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for s in subjects:
        grouped.setdefault(s[:s.index(":")], []).append(s)
    return grouped


FOLDED: dict[str, View] = {
    v.name: v for v in (
        View("board", board.KINDS, board.apply, snapshots=True),
        View("incidents", incidents.KINDS, incidents.apply),
        View("patrols", patrols.KINDS, patrols.apply),
        View("register", register.KINDS, register.apply),
        View("custody", custody.KINDS, custody.apply),
        View("gaps", gaps.KINDS, gaps.apply),
        View("stats", stats.KINDS, stats.apply),
    )
}


def fold(
    view: View, key: str, records: list[Record], doc: Doc | None = None,
) -> Doc | None:
    """The document after `records` (already corrected), corrections themselves
    skipped: it is how a document is recomputed when one of its events is corrected."""
    for record in records:
        if record["type"] != "EntryCorrected":
            doc = view.apply(doc, record, key)
    return doc
