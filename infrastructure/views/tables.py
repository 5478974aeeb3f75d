"""View tables on SQLite and PostgreSQL, one generation of tables per view.

A rebuild writes a new generation and swaps it in by changing `jaga_view_meta`; the
old generation serves reads until then and is dropped by the next rebuild.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from application.projections import FOLDED
from application.projections.common import when
from application.read import VIEW_NAMES

LOCK_TABLE = "jaga_view_lock"
META_TABLE = "jaga_view_meta"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
CHUNK = 500  # rows a statement


def dumps(value: Any) -> str:
    """A document as the view tables hold it: compact JSON text, non-ASCII as is."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


loads: Callable[[str], Any] = orjson.loads


def micros(iso_time: str | None) -> int:
    moment = when(iso_time)
    return 0 if moment is None else (moment - EPOCH) // MICROSECOND


def chunks(items: list[Any], size: int = CHUNK) -> Iterable[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


@dataclass(frozen=True)
class Dialect:
    ph: str
    big: str = "BIGINT"


SQLITE = Dialect(ph="?")
POSTGRES = Dialect(ph="%s")


def docs_table(view: str, generation: int) -> str:
    return f"jaga_v_{view}_{generation}"


def snapshot_table(view: str, generation: int) -> str:
    return f"jaga_v_{view}_snap_{generation}"


def subjects_table(generation: int) -> str:
    return f"jaga_v_subjects_{generation}"


def tables_of(view: str, generation: int) -> list[str]:
    if view == "timeline":
        return [docs_table(view, generation), subjects_table(generation)]
    tables = [docs_table(view, generation)]
    if view in FOLDED and FOLDED[view].snapshots:
        tables.append(snapshot_table(view, generation))
    return tables


def meta_statements() -> list[str]:
    return [
        f"CREATE TABLE IF NOT EXISTS {META_TABLE} (view TEXT PRIMARY KEY,"
        " generation INTEGER NOT NULL)",
        f"CREATE TABLE IF NOT EXISTS {LOCK_TABLE} (id INTEGER PRIMARY KEY,"
        " n BIGINT NOT NULL)",
    ]


def create_statements(view: str, generation: int) -> list[str]:
    """The tables of one generation of a view."""
    if view not in VIEW_NAMES:
        raise ValueError(f"unknown view {view}")
    if view == "timeline":
        t, s = docs_table(view, generation), subjects_table(generation)
        return [
            f"CREATE TABLE IF NOT EXISTS {t} (position BIGINT PRIMARY KEY,"
            " event_id TEXT NOT NULL UNIQUE, type TEXT NOT NULL,"
            " occurred_us BIGINT NOT NULL, recorded_us BIGINT NOT NULL,"
            " record TEXT NOT NULL)",
            f"CREATE INDEX IF NOT EXISTS {t}_recorded ON {t} (recorded_us)",
            f"CREATE TABLE IF NOT EXISTS {s} (subject TEXT NOT NULL,"
            " position BIGINT NOT NULL, PRIMARY KEY (subject, position))",
        ]
    statements = [
        f"CREATE TABLE IF NOT EXISTS {docs_table(view, generation)} ("
        "doc_key TEXT PRIMARY KEY, position BIGINT NOT NULL, doc TEXT NOT NULL)"
    ]
    if view in FOLDED and FOLDED[view].snapshots:
        statements.append(
            f"CREATE TABLE IF NOT EXISTS {snapshot_table(view, generation)} ("
            "doc_key TEXT NOT NULL, position BIGINT NOT NULL, doc TEXT NOT NULL,"
            " PRIMARY KEY (doc_key, position))"
        )
    return statements
