"""Where the views live: the library's tracking recorder on the application's own
database, the generation table, and reads of the log inside a view transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from eventsourcing.persistence import Tracking, TrackingRecorder
from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteDatastore, SQLiteTrackingRecorder

from application.app import Jaga
from application.read import VIEW_NAMES
from infrastructure.views import tables
from infrastructure.views.tables import LOCK_TABLE, META_TABLE

SETUP_LOCK_ID = 0x4A414741  # "JAGA": the advisory lock around creating view tables

LIVE = "jaga_views"  # the tracking name of the live views


class ViewStore:
    """The view tables of one application's store, and their tracked position."""

    def __init__(self, app: Jaga) -> None:
        self.app = app
        recorder: Any = app.recorder
        self.datastore = recorder.datastore
        self.events_table = recorder.events_table_name
        self.notification_column = recorder.dialect.notification_column
        self.tracking: TrackingRecorder
        if isinstance(self.datastore, SQLiteDatastore):
            self.dialect = tables.SQLITE
            self.tracking = SQLiteTrackingRecorder(self.datastore)
        else:
            self.dialect = tables.POSTGRES
            self.tracking = PostgresTrackingRecorder(
                self.datastore, tracking_table_name="jaga_view_tracking"
            )
        with self.setup_lock():
            self.tracking.create_table()
            self._ensure_meta()

    @property
    def ph(self) -> str:
        return self.dialect.ph

    @contextmanager
    def transaction(self, commit: bool) -> Iterator[Any]:
        with self.datastore.transaction(commit=commit) as cursor:
            yield cursor

    @contextmanager
    def setup_lock(self) -> Iterator[None]:
        """Serialises creating view tables across processes: on PostgreSQL two
        CREATE TABLE IF NOT EXISTS of the same tables at once can deadlock."""
        if self.dialect is not tables.POSTGRES:
            yield
            return
        with self.datastore.get_connection() as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", [SETUP_LOCK_ID])
            try:
                yield
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", [SETUP_LOCK_ID])

    def _ensure_meta(self) -> None:
        ph = self.ph
        with self.transaction(commit=True) as c:
            for statement in tables.meta_statements():
                c.execute(statement)
            c.execute(f"SELECT id FROM {LOCK_TABLE}")
            if not c.fetchall():
                c.execute(f"INSERT INTO {LOCK_TABLE} (id, n) VALUES (1, 0)")
            c.execute(f"SELECT view FROM {META_TABLE}")
            known = {r["view"] for r in c.fetchall()}
            for view in VIEW_NAMES:
                if view not in known:
                    for statement in tables.create_statements(view, 1):
                        c.execute(statement)
                    c.execute(
                        f"INSERT INTO {META_TABLE} (view, generation) "
                        f"VALUES ({ph}, {ph})",
                        [view, 1],
                    )

    # --- inside a transaction ---------------------------------------------------

    def lock(self, c: Any) -> None:
        """Serialises view writers (the runner's batches and a rebuild's swap)."""
        c.execute(f"UPDATE {LOCK_TABLE} SET n = n + 1 WHERE id = 1")

    def generations(self, c: Any) -> dict[str, int]:
        c.execute(f"SELECT view, generation FROM {META_TABLE}")
        return {r["view"]: int(r["generation"]) for r in c.fetchall()}

    def tracked(self, c: Any, name: str = LIVE) -> int:
        c.execute(
            "SELECT MAX(notification_id) AS n FROM "
            f"{self._tracking_table()} WHERE application_name = {self.ph}",
            [name],
        )
        row = c.fetchone()
        return int(row["n"] or 0) if row else 0

    def _tracking_table(self) -> str:
        return getattr(self.tracking, "tracking_table_name", "tracking")

    def track(self, c: Any, position: int, name: str = LIVE) -> None:
        self.tracking._insert_tracking(c, Tracking(name, position))  # type: ignore[attr-defined]

    def read_records(
        self, c: Any, after: int, limit: int, until: int | None = None
    ) -> list[dict[str, Any]]:
        """Event records with position > after, in log order, in this transaction."""
        return [
            self.app.record_of(row) for row in self.read_rows(c, after, limit, until)
        ]

    def read_lazily(
        self, c: Any, after: int, limit: int, until: int | None = None
    ) -> tuple[int, Iterator[dict[str, Any]]]:
        """How many events follow `after` (up to `limit`), and their records, decoded
        as they are taken (so that decoding overlaps the writes of a batch)."""
        rows = self.read_rows(c, after, limit, until)
        return len(rows), map(self.app.record_of, rows)

    def read_rows(
        self, c: Any, after: int, limit: int, until: int | None = None
    ) -> list[Any]:
        """The stored events with position > after, in log order, undecoded."""
        ph = self.ph
        sql = (
            "SELECT l.position, e.originator_id, e.originator_version, e.topic,"
            f" e.state FROM jaga_log l JOIN {self.events_table} e"
            f" ON e.{self.notification_column} = l.notification_id"
            f" WHERE l.position > {ph}"
        )
        params: list[Any] = [after]
        if until is not None:
            sql += f" AND l.position <= {ph}"
            params.append(until)
        c.execute(sql + f" ORDER BY l.position LIMIT {ph}", [*params, limit])
        rows: list[Any] = c.fetchall()
        return rows

    def log_position(self, c: Any) -> int:
        c.execute("SELECT COALESCE(MAX(position), 0) AS n FROM jaga_log")
        return int(c.fetchone()["n"])

    # --- outside a transaction ----------------------------------------------------

    def position(self) -> int:
        """The log position the live views reflect."""
        return int(self.tracking.max_tracking_id(LIVE) or 0)

    def create_generation(self, view: str, generation: int) -> None:
        with self.setup_lock(), self.transaction(commit=True) as c:
            for statement in tables.create_statements(view, generation):
                c.execute(statement)

    def drop_generation(self, view: str, generation: int) -> None:
        with self.transaction(commit=True) as c:
            for table in tables.tables_of(view, generation):
                c.execute(f"DROP TABLE IF EXISTS {table}")
