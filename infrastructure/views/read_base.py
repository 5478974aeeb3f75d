"""The read model's ground: the view tables' generations, documents by key, the
moment a read is asked about, and how far the views are."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from application.calendar import ElectionCalendar
from application.projections import FOLDED
from application.projections.anomalies import Limits
from application.projections.common import Doc
from application.read import Lag
from domain.errors import InvalidValue
from infrastructure.views import tables
from infrastructure.views.history import replay
from infrastructure.views.paging import (
    check_time,
    like_pattern,
    like_prefix,
)
from infrastructure.views.runner import lag_of, wait_for
from infrastructure.views.store import ViewStore
from infrastructure.views.tables import loads, micros


class ReadBase:
    """The ground every view's reads stand on."""

    def __init__(
        self,
        store: ViewStore,
        calendar: ElectionCalendar,
        clock: Callable[[], datetime] | None = None,
        generations: dict[str, int] | None = None,
        position: int | None = None,
        lag: Callable[[], Lag] | None = None,
        limits: Limits | None = None,
    ) -> None:
        self.store = store
        self.calendar = calendar
        self.limits = limits or Limits()
        self.clock = clock or (lambda: datetime.now(UTC))
        self.fixed_generations = generations
        self.fixed_position = position
        self._lag = lag
        self.ph = store.ph

    # --- plumbing -----------------------------------------------------------------

    def _gens(self, c: Any) -> dict[str, int]:
        return self.fixed_generations or self.store.generations(c)

    def _position(self, c: Any) -> int:
        if self.fixed_position is not None:
            return self.fixed_position
        return self.store.tracked(c)

    def _docs(
        self,
        c: Any,
        view: str,
        gens: dict[str, int],
        prefix: str | None = None,
        key: str | None = None,
        containing: Sequence[str] = (),
    ) -> list[Doc]:
        """Documents by key, by key prefix, or all; `containing` narrows to those
        whose text holds every fragment (the caller still checks the fields)."""
        table = tables.docs_table(view, gens[view])
        ph = self.ph
        if key is not None:
            c.execute(f"SELECT doc FROM {table} WHERE doc_key = {ph}", [key])
        elif prefix is not None:
            narrow = "".join(f" AND doc LIKE {ph} ESCAPE '\\'" for _ in containing)
            c.execute(
                f"SELECT doc FROM {table} WHERE doc_key LIKE {ph} ESCAPE '\\'{narrow}"
                " ORDER BY doc_key",
                [like_prefix(prefix), *map(like_pattern, containing)],
            )
        else:
            c.execute(f"SELECT doc FROM {table} ORDER BY doc_key")
        return [loads(r["doc"]) for r in c.fetchall()]

    def _stage(self, now: datetime) -> str | None:
        stage = self.calendar.stage_at(now)
        return None if stage is None else stage.stage

    def _moment(
        self,
        c: Any,
        gens: dict[str, int],
        as_of: datetime | None,
        as_of_position: int | None,
    ) -> tuple[int, int | None, datetime]:
        """(the live position, the as-of position or None, the moment to judge at)."""
        live = self._position(c)
        when_at = check_time(as_of, "as_of")
        if as_of_position is not None and (
            isinstance(as_of_position, bool)
            or not isinstance(as_of_position, int)
            or as_of_position < 0
        ):
            raise InvalidValue("as_of_position", "must be a whole number, 0 or more")
        timeline = tables.docs_table("timeline", gens["timeline"])
        target = as_of_position
        if target is None and when_at is not None:
            c.execute(
                f"SELECT COALESCE(MAX(position), 0) AS p FROM {timeline}"
                f" WHERE recorded_us <= {self.ph}",
                [micros(when_at.isoformat())],
            )
            target = int(c.fetchone()["p"])
        if target is None:
            return live, None, self.clock()
        target = min(target, live)
        if when_at is None:
            c.execute(
                f"SELECT recorded_us FROM {timeline} WHERE position = {self.ph}",
                [target],
            )
            row = c.fetchone()
            when_at = (
                datetime(1970, 1, 1, tzinfo=UTC)
                + timedelta(microseconds=int(row["recorded_us"]))
                if row
                else self.clock()
            )
        return live, target, when_at

    def _board_docs(
        self,
        c: Any,
        gens: dict[str, int],
        target: int | None,
        live: int,
        key: str | None = None,
        containing: Sequence[str] = (),
    ) -> list[Doc]:
        if target is None or target >= live:
            return self._docs(
                c, "board", gens, prefix="site:", key=key, containing=containing
            )
        # Every site is in the live board, and its region never changes, so the
        # live documents choose the sites; each is then replayed from its latest
        # snapshot at or before the target (or from nothing).
        table = tables.docs_table("board", gens["board"])
        snap = tables.snapshot_table("board", gens["board"])
        ph = self.ph
        which = f"b.doc_key = {ph}" if key else f"b.doc_key LIKE {ph}"
        narrow = "".join(f" AND b.doc LIKE {ph} ESCAPE '\\'" for _ in containing)
        c.execute(
            f"SELECT b.doc_key, s.position, s.doc FROM {table} b"
            f" LEFT JOIN {snap} s ON s.doc_key = b.doc_key"
            f" AND s.position = (SELECT MAX(x.position) FROM {snap} x"
            f" WHERE x.doc_key = b.doc_key AND x.position <= {ph})"
            f" WHERE {which}{narrow}",
            [target, key or "site:%", *map(like_pattern, containing)],
        )
        start = {
            r["doc_key"]: (
                int(r["position"] or 0),
                None if r["doc"] is None else loads(r["doc"]),
            )
            for r in c.fetchall()
        }
        docs = replay(c, ph, gens["timeline"], FOLDED["board"], start, upto=target)
        return [doc for _, doc in sorted(docs.items()) if doc is not None]

    # --- the site board -------------------------------------------------------------

    def covert_site_ids(self) -> set[str]:
        with self.store.transaction(commit=False) as c:
            docs = self._docs(c, "board", self._gens(c), prefix="site:")
        return {d["site_id"] for d in docs if d.get("posture") != "overt"}

    def covert_positions(self, first: int, last: int) -> tuple[set[int], int]:
        with self.store.transaction(commit=False) as c:
            gens = self._gens(c)
            reached = self._position(c)
            docs = self._docs(c, "board", gens, prefix="site:")
            covert = [
                f"site:{d['site_id']}" for d in docs if d.get("posture") != "overt"
            ]
            if not covert:
                return set(), reached
            ph, subjects = self.ph, tables.subjects_table(gens["timeline"])
            c.execute(
                f"SELECT DISTINCT position FROM {subjects}"
                f" WHERE subject IN ({','.join([ph] * len(covert))})"
                f" AND position >= {ph} AND position <= {ph}",
                [*covert, first, last],
            )
            return {int(r["position"]) for r in c.fetchall()}, reached

    def _corrections(
        self, c: Any, gens: dict[str, int], event_ids: list[str], upto: int
    ) -> dict[str, list[dict[str, Any]]]:
        if not event_ids:
            return {}
        timeline = tables.docs_table("timeline", gens["timeline"])
        subjects = tables.subjects_table(gens["timeline"])
        marks = ",".join([self.ph] * len(event_ids))
        c.execute(
            f"SELECT t.record FROM {subjects} s JOIN {timeline} t"
            f" ON t.position = s.position WHERE s.subject IN ({marks})"
            f" AND s.position <= {self.ph} ORDER BY s.position",
            [*(f"corrects:{e}" for e in event_ids), upto],
        )
        fixes: dict[str, list[dict[str, Any]]] = {}
        for r in c.fetchall():
            record = loads(r["record"])
            fixes.setdefault(record["data"]["event_id"], []).append(record)
        return fixes

    # --- neutrality, statistics ------------------------------------------------------

    def wait_for_position(self, position: int, timeout: float = 5.0) -> bool:
        return wait_for(self.store, position, timeout)

    def lag(self) -> Lag:
        return self._lag() if self._lag is not None else lag_of(self.store)
