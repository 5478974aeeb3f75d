"""A subject's history from the timeline: its records after a position with their
corrections applied, and its documents replayed from a snapshot to a moment (as-of
reads, and a document a correction makes the writer fold again)."""

from __future__ import annotations

from typing import Any

from application.projections import View, fold
from application.projections.common import Doc, Record, with_corrections
from infrastructure.views import tables
from infrastructure.views.tables import chunks, loads


def stream(
    c: Any, ph: str, timeline_generation: int, key: str, *, after: int, upto: int
) -> list[Record]:
    """The records about `key` in (after, upto], each with the corrections up to
    `upto` applied."""
    return tails(c, ph, timeline_generation, {key: after}, upto)[key]


def tails(
    c: Any, ph: str, timeline_generation: int, after: dict[str, int], upto: int
) -> dict[str, list[Record]]:
    """For each key, its records in (after[key], upto] with their corrections
    applied, fetched for many keys at once. A correction comes after what it
    corrects, so the corrections of a record after `after` are after it too."""
    timeline = tables.docs_table("timeline", timeline_generation)
    subjects = tables.subjects_table(timeline_generation)
    found: dict[str, list[Record]] = {key: [] for key in after}
    if ph == "%s" and after:
        # One index range per key. The fence (OFFSET 0) keeps PostgreSQL from
        # flattening it into a scan of the whole subject index.
        c.execute(
            "SELECT v.subject, x.record"
            " FROM unnest(%b::text[], %b::bigint[]) AS v(subject, after)"
            " CROSS JOIN LATERAL (SELECT s.position, t.record"
            f" FROM {subjects} s JOIN {timeline} t ON t.position = s.position"
            " WHERE s.subject = v.subject AND s.position > v.after"
            " AND s.position <= %s ORDER BY s.position OFFSET 0) x"
            " ORDER BY v.subject, x.position",
            [list(after), list(after.values()), upto],
        )
        rows = c.fetchall()
    else:
        rows = []
        for part in chunks(list(after.items())):
            starts = ",".join([f"({ph},{ph})"] * len(part))
            c.execute(
                f"WITH v(subject, after) AS (VALUES {starts})"
                f" SELECT s.subject, t.record FROM v JOIN {subjects} s"
                " ON s.subject = v.subject AND s.position > v.after"
                f" JOIN {timeline} t ON t.position = s.position"
                f" WHERE s.position <= {ph} ORDER BY s.subject, s.position",
                [x for pair in part for x in pair] + [upto],
            )
            rows += c.fetchall()
    for row in rows:
        found[row["subject"]].append(loads(row["record"]))
    for key, records in found.items():
        fixes: dict[str, list[Record]] = {}
        for r in records:
            if r["type"] == "EntryCorrected":
                fixes.setdefault(r["data"]["event_id"], []).append(r)
        if fixes:
            found[key] = [
                with_corrections(r, fixes[r["event_id"]])
                if r["event_id"] in fixes
                else r
                for r in records
            ]
    return found


def replay(
    c: Any,
    ph: str,
    timeline_generation: int,
    view: View,
    start: dict[str, tuple[int, Doc | None]],
    *,
    upto: int,
) -> dict[str, Doc | None]:
    """Each key's document at `upto`, from its state at a position (start[key]) and
    the events since, as the runner would have folded them (a correction
    recomputes the document)."""
    records = tails(
        c, ph, timeline_generation, {key: at for key, (at, _) in start.items()}, upto
    )
    out: dict[str, Doc | None] = {}
    for key, (_, doc) in start.items():
        for record in records[key]:
            if record["type"] == "EntryCorrected":
                doc = fold(
                    view,
                    key,
                    stream(
                        c,
                        ph,
                        timeline_generation,
                        key,
                        after=0,
                        upto=record["position"],
                    ),
                )
            elif record["type"] in view.types:
                doc = view.apply(doc, record, key)
        out[key] = doc
    return out
