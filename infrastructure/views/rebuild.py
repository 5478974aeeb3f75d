"""Rebuilds views from the log into new tables and swaps them in.

Reads keep using the live tables until the swap. The swap takes the runner's lock,
brings the new tables up to the live tracked position and switches the generation
in one transaction, so the tracked position holds for the new tables too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from application.projections.common import Record
from application.read import VIEW_NAMES
from infrastructure.views.engine import Writer
from infrastructure.views.store import ViewStore
from infrastructure.views.tables import META_TABLE

Progress = Callable[[int, int], None]


class RebuildConflict(RuntimeError):
    """Another rebuild swapped generations while this one ran."""


@dataclass
class Built:
    generations: dict[str, int]
    position: int
    events: int


def check_views(views: Sequence[str] | None) -> list[str]:
    names = list(views or VIEW_NAMES)
    unknown = [v for v in names if v not in VIEW_NAMES]
    if unknown:
        raise ValueError(f"unknown view {unknown[0]}; views: {', '.join(VIEW_NAMES)}")
    return names


def rebuild(
    store: ViewStore,
    views: Sequence[str] | None = None,
    *,
    batch: int = 2000,
    progress: Progress | None = None,
    until: int | None = None,
    swap: bool = True,
) -> Built:
    """Builds `views` (all by default) from the log into a new generation; with
    `swap`, makes it the live one. `until` stops at a position (without swap)."""
    names = check_views(views)
    if swap and until is not None:
        raise ValueError("a truncated build cannot be swapped in")
    with store.transaction(commit=False) as c:
        live = store.generations(c)
        target = store.tracked(c) if until is None else until
    fresh = {**live, **{v: live[v] + 1 for v in names}}
    for v in names:
        store.drop_generation(v, fresh[v])
        store.create_generation(v, fresh[v])
    writer = Writer(store.dialect, fresh, names, fresh=True)
    position = events = 0

    def read(after: int) -> list[Record]:
        with store.transaction(commit=False) as c:
            return store.read_records(c, after, min(batch, target - after))

    # The next batch is read and decoded in a thread while this one is written:
    # the log only grows, so what follows a position never changes.
    with ThreadPoolExecutor(1, thread_name_prefix="jaga-rebuild-read") as reader:
        ahead = reader.submit(read, position) if position < target else None
        while ahead is not None:
            records = ahead.result()
            if not records:
                break
            last = records[-1]["position"]
            ahead = reader.submit(read, last) if last < target else None
            with store.transaction(commit=True) as c:
                position = writer.apply(c, records)
            events += len(records)
            if progress is not None:
                progress(position, target)
    if swap:
        with store.transaction(commit=True) as c:
            store.lock(c)
            if store.generations(c) != live:
                raise RebuildConflict("another rebuild swapped views meanwhile")
            tracked = store.tracked(c)
            while position < tracked:
                count, lazily = store.read_lazily(c, position, batch, tracked)
                if not count:
                    break
                position = writer.apply(c, lazily)
                events += count
            for v in names:
                c.execute(
                    f"UPDATE {META_TABLE} SET generation = {store.ph}"
                    f" WHERE view = {store.ph}",
                    [fresh[v], v],
                )
        for v in names:
            if fresh[v] >= 3:
                store.drop_generation(v, fresh[v] - 2)  # the one before the old one
    return Built(fresh, position, events)


def discard(store: ViewStore, built: Built, views: Sequence[str] | None = None) -> None:
    """Drops the tables of a build that was not swapped in."""
    with store.transaction(commit=False) as c:
        live = store.generations(c)
    for v in check_views(views):
        if built.generations[v] != live[v]:
            store.drop_generation(v, built.generations[v])


def contents(
    store: ViewStore,
    generations: dict[str, int] | None = None,
    views: Sequence[str] | None = None,
) -> dict[str, list[tuple[str, str]]]:
    """Every row of the views (snapshots aside), in key order: what a check that two
    builds agree compares."""
    from infrastructure.views import tables

    found: dict[str, list[tuple[str, str]]] = {}
    with store.transaction(commit=False) as c:
        gens = generations or store.generations(c)
        for view in check_views(views):
            table = tables.docs_table(view, gens[view])
            if view == "timeline":
                c.execute(f"SELECT position, record FROM {table} ORDER BY position")
                found[view] = [(str(r["position"]), r["record"]) for r in c.fetchall()]
                c.execute(
                    f"SELECT subject, position FROM"
                    f" {tables.subjects_table(gens[view])}"
                    " ORDER BY subject, position"
                )
                found["subjects"] = [
                    (r["subject"], str(r["position"])) for r in c.fetchall()
                ]
            else:
                c.execute(f"SELECT doc_key, doc FROM {table} ORDER BY doc_key")
                found[view] = [(r["doc_key"], r["doc"]) for r in c.fetchall()]
    return found
