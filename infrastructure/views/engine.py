"""Applies batches of event records to one set of view tables inside a transaction.

The pure view logic decides each document's change; this writes the changed
documents, the timeline rows and the per-position snapshots in the caller's
transaction, so they commit (or vanish) together with the tracked position.
A writer keeps the documents it has read or written in memory between batches;
they are only trusted while nobody else has moved the views on (see `position`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from application.projections import FOLDED, View, fold, routes
from application.projections.common import Doc, Record
from application.projections.subjects import directory_updates, enrich
from infrastructure.views import tables
from infrastructure.views.history import stream
from infrastructure.views.tables import Dialect, chunks, dumps, loads, micros

CACHE_LIMIT = 200_000  # documents held in memory between batches, over all views


def copy_text(value: str) -> str:
    """A text value escaped for PostgreSQL's COPY text format."""
    if "\\" in value:
        value = value.replace("\\", "\\\\")
    if "\t" in value or "\n" in value or "\r" in value:
        value = value.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


def timeline_line(r: Record) -> str:
    """A timeline row in COPY text format."""
    return (
        f"{r['position']}\t{r['event_id']}\t{copy_text(r['type'])}\t"
        f"{micros(r['occurred_at'])}\t{micros(r['recorded_at'])}\t"
        f"{copy_text(dumps(r))}\n"
    )


class Directory(dict[str, Doc]):
    """Sites' regions, units' regions, people's units, and what incidents and patrols
    named (a dict, so the subject logic's many lookups are plain dict lookups), plus
    the subjects of events, for corrections."""

    def __init__(
        self, entries: dict[str, Doc], find: Callable[[str], list[str] | None]
    ) -> None:
        super().__init__(entries)
        self.batch: dict[str, list[str]] = {}
        self.find = find

    def subjects_of_event(self, event_id: str) -> list[str] | None:
        found = self.batch.get(event_id)
        return found if found is not None else self.find(event_id)


class Writer:
    """Writes batches into the views named in `write`, reading from `generations`.

    `position` is the log position the writer's memory (directory and documents)
    reflects; whoever runs it starts afresh when the tracked position differs. A
    writer for a new generation (`fresh`) knows its tables hold nothing it has not
    written, so it never reads them back.
    """

    def __init__(
        self,
        dialect: Dialect,
        generations: dict[str, int],
        write: Iterable[str],
        *,
        fresh: bool = False,
    ) -> None:
        self.ph = dialect.ph
        self.generations = dict(generations)
        self.write = set(write)
        self.directory = Directory({}, self._subjects_in_timeline)
        self.views = [v for name, v in FOLDED.items() if name in self.write]
        self.routes = routes(self.views)
        self.docs: dict[str, dict[str, Doc | None]] = {v.name: {} for v in self.views}
        self.complete = fresh  # the cached documents are all the tables hold
        self.position = 0
        self.cursor: Any = None

    def table(self, view: str) -> str:
        return tables.docs_table(view, self.generations[view])

    def load_directory(self, c: Any) -> None:
        c.execute(f"SELECT doc_key, doc FROM {self.table('directory')}")
        self.directory = Directory(
            {r["doc_key"]: loads(r["doc"]) for r in c.fetchall()},
            self._subjects_in_timeline,
        )

    def _subjects_in_timeline(self, event_id: str) -> list[str] | None:
        c, ph = self.cursor, self.ph
        timeline = self.table("timeline")
        subjects = tables.subjects_table(self.generations["timeline"])
        c.execute(
            f"SELECT s.subject FROM {subjects} s JOIN {timeline} t"
            f" ON t.position = s.position WHERE t.event_id = {ph}",
            [event_id],
        )
        found = [r["subject"] for r in c.fetchall()]
        return [s for s in found if not s.startswith("corrects:")] or None

    # --- one batch ------------------------------------------------------------------

    def apply(self, c: Any, records: Iterable[Record]) -> int:
        """Applies records (in log order) to the views; returns the last position."""
        self.cursor = c
        directory = self.directory
        directory.batch = {}
        enriched: list[Record] = []
        changed_dir: dict[str, Doc] = {}
        for record in records:
            updates = directory_updates(record)
            if updates:
                directory.update(updates)
                changed_dir.update(updates)
            full = enrich(record, directory)
            directory.batch[record["event_id"]] = full["subjects"]
            enriched.append(full)
        if not enriched:
            return self.position
        if "directory" in self.write and changed_dir:
            self._upsert(
                c,
                "directory",
                [
                    (k, enriched[-1]["position"], dumps(v))
                    for k, v in changed_dir.items()
                ],
            )
        if "timeline" in self.write:
            self._timeline(c, enriched)
        if self.views:
            if sum(len(d) for d in self.docs.values()) > CACHE_LIMIT:
                self.docs = {v.name: {} for v in self.views}
                self.complete = False
            work: dict[str, list[tuple[Record, str]]] = {v.name: [] for v in self.views}
            route = self.routes
            for r in enriched:
                t = r["type"]
                fix = t == "EntryCorrected"
                for s in r["subjects"]:
                    for view in route.get(s[: s.find(":")], ()):
                        if fix or t in view.types:
                            work[view.name].append((r, s))
            for view in self.views:
                if work[view.name]:
                    self._fold(c, view, work[view.name])
        self.position = enriched[-1]["position"]
        self.cursor = None
        return self.position

    def _timeline(self, c: Any, records: list[Record]) -> None:
        """The timeline's rows and its subject index."""
        timeline = self.table("timeline")
        subjects = tables.subjects_table(self.generations["timeline"])
        if self.ph == "%s":
            self._copy(
                c, timeline, TIMELINE_COLUMNS, [timeline_line(r) for r in records]
            )
            self._copy(
                c,
                subjects,
                ("subject", "position"),
                [
                    f"{copy_text(s)}\t{r['position']}\n"
                    for r in records
                    for s in r["subjects"]
                ],
            )
            return
        self._insert(
            c,
            timeline,
            TIMELINE_COLUMNS,
            [
                (
                    r["position"],
                    r["event_id"],
                    r["type"],
                    micros(r["occurred_at"]),
                    micros(r["recorded_at"]),
                    dumps(r),
                )
                for r in records
            ],
        )
        self._insert(
            c,
            subjects,
            ("subject", "position"),
            [(s, r["position"]) for r in records for s in r["subjects"]],
        )

    def _copy(
        self, c: Any, table: str, columns: Sequence[str], lines: list[str]
    ) -> None:
        if lines:
            with c.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                copy.write("".join(lines))

    def _insert(
        self, c: Any, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]
    ) -> None:
        """Inserts new rows (text values; on PostgreSQL by COPY)."""
        if not rows:
            return
        if self.ph == "%s":
            self._copy(
                c,
                table,
                columns,
                [
                    "\t".join(
                        copy_text(v) if isinstance(v, str) else str(v) for v in row
                    )
                    + "\n"
                    for row in rows
                ],
            )
            return
        names = ", ".join(columns)
        marks = ",".join([self.ph] * len(columns))
        c.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)

    def _load(self, c: Any, view: str, keys: list[str]) -> dict[str, Doc]:
        docs: dict[str, Doc] = {}
        if self.ph == "%s":  # one array: a short statement psycopg parses once
            c.execute(
                f"SELECT doc_key, doc FROM {self.table(view)} WHERE doc_key = ANY(%b)",
                [keys],
            )
            return {r["doc_key"]: loads(r["doc"]) for r in c.fetchall()}
        for part in chunks(keys):
            marks = ",".join([self.ph] * len(part))
            c.execute(
                f"SELECT doc_key, doc FROM {self.table(view)}"
                f" WHERE doc_key IN ({marks})",
                part,
            )
            docs.update({r["doc_key"]: loads(r["doc"]) for r in c.fetchall()})
        return docs

    def _fold(self, c: Any, view: View, work: list[tuple[Record, str]]) -> None:
        """Applies the batch's (record, key) pairs of one view; writes each changed
        document once."""
        docs = self.docs[view.name]
        if not self.complete:
            missing = list(dict.fromkeys(k for _, k in work if k not in docs))
            if missing:
                loaded = self._load(c, view.name, missing)
                for key in missing:
                    docs[key] = loaded.get(key)
        before: dict[str, Doc | None] = {}
        changed: dict[str, int] = {}
        apply = view.apply
        for record, key in work:
            doc = docs.get(key)
            if record["type"] == "EntryCorrected":
                new = self.recompute(c, view, key, record["position"])
            else:
                new = apply(doc, record, key)
            if new is not doc:
                if key not in before:
                    before[key] = doc
                docs[key] = new
                changed[key] = record["position"]
        rows = [
            (k, p, dumps(d)) for k, p in changed.items() if (d := docs[k]) is not None
        ]
        gone = [k for k in changed if docs[k] is None and before[k] is not None]
        self._upsert(c, view.name, rows)
        for part in chunks(gone):
            marks = ",".join([self.ph] * len(part))
            c.execute(
                f"DELETE FROM {self.table(view.name)} WHERE doc_key IN ({marks})", part
            )
        if view.snapshots and rows:
            snap = tables.snapshot_table(view.name, self.generations[view.name])
            self._insert(c, snap, ("doc_key", "position", "doc"), rows)

    def _upsert(self, c: Any, view: str, rows: list[tuple[str, int, str]]) -> None:
        """Writes documents (already JSON text), many rows per statement."""
        ph = self.ph
        if ph == "%s" and rows:
            # Three arrays rather than three placeholders a row: psycopg parses a
            # long statement again on every call, and this short one once. Binary,
            # so the documents' quotes need no escaping inside the array.
            keys, positions, docs = zip(*rows, strict=True)
            c.execute(
                f"INSERT INTO {self.table(view)} (doc_key, position, doc)"
                " SELECT * FROM unnest(%b::text[], %b::bigint[], %b::text[])"
                " ON CONFLICT (doc_key) DO UPDATE"
                " SET position = excluded.position, doc = excluded.doc",
                [list(keys), list(positions), list(docs)],
            )
            return
        for part in chunks(rows):
            values = ",".join([f"({ph},{ph},{ph})"] * len(part))
            c.execute(
                f"INSERT INTO {self.table(view)} (doc_key, position, doc)"
                f" VALUES {values} ON CONFLICT (doc_key) DO UPDATE"
                " SET position = excluded.position, doc = excluded.doc",
                [v for row in part for v in row],
            )

    def recompute(self, c: Any, view: View, key: str, upto: int) -> Doc | None:
        """The document from all its events up to `upto`, corrections applied."""
        return fold(
            view,
            key,
            stream(c, self.ph, self.generations["timeline"], key, after=0, upto=upto),
        )


TIMELINE_COLUMNS = (
    "position",
    "event_id",
    "type",
    "occurred_us",
    "recorded_us",
    "record",
)
