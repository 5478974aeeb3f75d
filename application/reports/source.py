"""What a report reads: the log's records up to one position, each with the subjects
the views give it, found by subject. The server reads them from the timeline view;
anyone holding an export bundle from position 1 rebuilds the same from the bundle.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from application.projections.common import Doc, Record
from application.projections.subjects import directory_updates, enrich


class Source(Protocol):
    """Enriched records at positions 1..`position`, in log order."""

    @property
    def position(self) -> int: ...

    def about(
        self, subjects: Sequence[str], types: Sequence[str] | None = None
    ) -> list[Record]:
        """Records with any of these subjects (a subject ending in `/%` matches
        every subject it begins), of these types if given."""
        ...


class _Directory(dict[str, Doc]):
    """The views' directory, in memory: what later events need to find their
    subjects, and each event's subjects (for corrections)."""

    def __init__(self) -> None:
        super().__init__()
        self.events: dict[str, list[str]] = {}

    def subjects_of_event(self, event_id: str) -> list[str] | None:
        found = self.events.get(event_id)
        return (
            None
            if found is None
            else [s for s in found if not s.startswith("corrects:")]
        )


def enriched(records: Iterable[Record]) -> list[Record]:
    """Records (from position 1, in order) enriched as the views enrich them."""
    directory = _Directory()
    out: list[Record] = []
    for record in records:
        directory.update(directory_updates(record))
        full = enrich(record, directory)
        directory.events[record["event_id"]] = full["subjects"]
        out.append(full)
    return out


def matches(subjects: Sequence[str], wanted: Sequence[str]) -> bool:
    for want in wanted:
        if want.endswith("/%"):
            stem = want[:-1]
            if any(s.startswith(stem) for s in subjects):
                return True
        elif want in subjects:
            return True
    return False


class MemorySource:
    """A source over records held in memory (a verified bundle's, or a test's)."""

    def __init__(self, records: Iterable[Record], position: int | None = None) -> None:
        full = enriched(records)
        self._position = position if position is not None else len(full)
        self.records = [r for r in full if r["position"] <= self._position]

    @property
    def position(self) -> int:
        return self._position

    def about(
        self, subjects: Sequence[str], types: Sequence[str] | None = None
    ) -> list[Record]:
        return [
            r
            for r in self.records
            if (types is None or r["type"] in types)
            and matches(r["subjects"], subjects)
        ]
