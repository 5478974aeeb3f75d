"""Applies batches of event records to one set of view tables inside a transaction.

The pure view logic decides each document's change; this writes the changed
documents, the timeline rows and the per-position snapshots in the caller's
transaction, so they commit (or vanish) together with the tracked position.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from application.projections import FOLDED, View, by_kind, fold
from application.projections.common import Doc, Record, when, with_corrections
from application.projections.subjects import directory_updates, enrich
from infrastructure.views import tables
from infrastructure.views.tables import Dialect

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
CHUNK = 500


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def micros(iso_time: str | None) -> int:
    moment = when(iso_time)
    return 0 if moment is None else (moment - EPOCH) // timedelta(microseconds=1)


def chunks(items: list[Any], size: int = CHUNK) -> Iterable[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


class Writer:
    """Writes batches into the views named in `write`, reading from `generations`.

    The directory (sites' regions, units' regions, people's units, what incidents and
    patrols named) is held in memory; it is loaded from its table or, for a rebuild
    from the start, built from the events themselves.
    """

    def __init__(self, dialect: Dialect, generations: dict[str, int],
                 write: Iterable[str]) -> None:
        self.ph = dialect.ph
        self.generations = dict(generations)
        self.write = set(write)
        self.directory: dict[str, Doc] = {}
        self.batch_subjects: dict[str, list[str]] = {}
        self.cursor: Any = None

    def table(self, view: str) -> str:
        return tables.docs_table(view, self.generations[view])

    def load_directory(self, c: Any) -> None:
        c.execute(f"SELECT doc_key, doc FROM {self.table('directory')}")
        self.directory = {r["doc_key"]: json.loads(r["doc"]) for r in c.fetchall()}

    # --- the Directory protocol for the pure subject logic -----------------------

    def get(self, key: str) -> Doc | None:
        return self.directory.get(key)

    def subjects_of_event(self, event_id: str) -> list[str] | None:
        if event_id in self.batch_subjects:
            return self.batch_subjects[event_id]
        c, ph = self.cursor, self.ph
        timeline = self.table("timeline")
        subjects = tables.subjects_table(self.generations["timeline"])
        c.execute(f"SELECT s.subject FROM {subjects} s JOIN {timeline} t"
                  f" ON t.position = s.position WHERE t.event_id = {ph}", [event_id])
        found = [r["subject"] for r in c.fetchall()]
        return [s for s in found if not s.startswith("corrects:")] or None

    # --- one batch ------------------------------------------------------------------

    def apply(self, c: Any, records: list[Record]) -> None:
        self.cursor = c
        self.batch_subjects = {}
        enriched: list[Record] = []
        changed_dir: dict[str, Doc] = {}
        for record in records:
            updates = directory_updates(record)
            self.directory.update(updates)
            changed_dir.update(updates)
            full = enrich(record, self)
            self.batch_subjects[record["event_id"]] = full["subjects"]
            enriched.append(full)
        if "directory" in self.write and changed_dir:
            self._upsert(c, "directory", [(k, records[-1]["position"], v)
                                          for k, v in changed_dir.items()])
        if "timeline" in self.write:
            self._timeline(c, enriched)
        grouped = [by_kind(r["subjects"]) for r in enriched]
        for name in FOLDED:
            if name in self.write:
                self._fold(c, FOLDED[name], enriched, grouped)
        self.cursor = None

    def _timeline(self, c: Any, records: list[Record]) -> None:
        rows = [(r["position"], r["event_id"], r["type"], micros(r["occurred_at"]),
                 micros(r["recorded_at"]), dumps(r)) for r in records]
        self._insert(c, self.table("timeline"), ("position", "event_id", "type",
                                                 "occurred_us", "recorded_us",
                                                 "record"), rows)
        subjects = [(s, r["position"]) for r in records for s in r["subjects"]]
        self._insert(c, tables.subjects_table(self.generations["timeline"]),
                     ("subject", "position"), subjects)

    def _insert(self, c: Any, table: str, columns: Sequence[str],
                rows: list[tuple[Any, ...]]) -> None:
        """Inserts new rows; on PostgreSQL by COPY, several times faster here."""
        if not rows:
            return
        names = ", ".join(columns)
        if self.ph == "%s":
            with c.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ",".join([self.ph] * len(columns))
        c.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)

    def _load(self, c: Any, view: str, keys: list[str]) -> dict[str, Doc]:
        docs: dict[str, Doc] = {}
        for part in chunks(keys):
            marks = ",".join([self.ph] * len(part))
            c.execute(f"SELECT doc_key, doc FROM {self.table(view)}"
                      f" WHERE doc_key IN ({marks})", part)
            docs.update({r["doc_key"]: json.loads(r["doc"]) for r in c.fetchall()})
        return docs

    def _fold(self, c: Any, view: View, records: list[Record],
              grouped: list[dict[str, list[str]]]) -> None:
        keyed = [(r, view.keys_by_kind(g)) for r, g in zip(records, grouped,
                                                           strict=True)]
        keys = list(dict.fromkeys(k for _, ks in keyed for k in ks))
        if not keys:
            return
        docs: dict[str, Doc | None] = dict(self._load(c, view.name, keys))
        existed = set(docs)
        touched: dict[str, int] = {}
        for record, record_keys in keyed:
            for key in record_keys:
                if record["type"] == "EntryCorrected":
                    docs[key] = self.recompute(c, view, key, record["position"])
                else:
                    docs[key] = view.apply(docs.get(key), record, key)
                touched[key] = record["position"]
        rows = [(k, p, d) for k, p in touched.items() if (d := docs.get(k)) is not None]
        gone = [k for k in touched if docs.get(k) is None and k in existed]
        self._upsert(c, view.name, rows)
        for part in chunks(gone):
            marks = ",".join([self.ph] * len(part))
            c.execute(f"DELETE FROM {self.table(view.name)} WHERE doc_key IN ({marks})",
                      part)
        if view.snapshots and rows:
            snap = tables.snapshot_table(view.name, self.generations[view.name])
            self._insert(c, snap, ("doc_key", "position", "doc"),
                         [(k, p, dumps(d)) for k, p, d in rows])

    def _upsert(self, c: Any, view: str, rows: list[tuple[str, int, Doc]]) -> None:
        ph = self.ph
        c.executemany(
            f"INSERT INTO {self.table(view)} (doc_key, position, doc)"
            f" VALUES ({ph},{ph},{ph}) ON CONFLICT (doc_key) DO UPDATE"
            " SET position = excluded.position, doc = excluded.doc",
            [(k, p, dumps(d)) for k, p, d in rows])

    def recompute(self, c: Any, view: View, key: str, upto: int) -> Doc | None:
        """The document from all its events up to `upto`, corrections applied."""
        return fold(view, key, stream(c, self.ph, self.generations["timeline"], key,
                                      after=0, upto=upto))


def stream(c: Any, ph: str, timeline_generation: int, key: str, *, after: int,
           upto: int) -> list[Record]:
    """The records about `key` in (after, upto], each with the corrections up to
    `upto` applied (corrections of earlier records are fetched too)."""
    timeline = tables.docs_table("timeline", timeline_generation)
    subjects = tables.subjects_table(timeline_generation)
    c.execute(f"SELECT t.record FROM {subjects} s JOIN {timeline} t"
              f" ON t.position = s.position WHERE s.subject = {ph}"
              f" AND s.position <= {ph} ORDER BY s.position", [key, upto])
    records = [json.loads(r["record"]) for r in c.fetchall()]
    fixes: dict[str, list[Record]] = {}
    for r in records:
        if r["type"] == "EntryCorrected":
            fixes.setdefault(r["data"]["event_id"], []).append(r)
    return [with_corrections(r, fixes[r["event_id"]]) if r["event_id"] in fixes else r
            for r in records if r["position"] > after]


def replay(c: Any, ph: str, timeline_generation: int, view: View, key: str,
           doc: Doc | None, *, after: int, upto: int) -> Doc | None:
    """The document at `upto`, from its state at `after` and the events between, as
    the runner would have folded them (a correction recomputes the document)."""
    for record in stream(c, ph, timeline_generation, key, after=after, upto=upto):
        if record["type"] == "EntryCorrected":
            doc = fold(view, key, stream(c, ph, timeline_generation, key, after=0,
                                         upto=record["position"]))
        else:
            doc = view.apply(doc, record, key)
    return doc
