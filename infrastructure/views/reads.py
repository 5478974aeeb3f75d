"""The read model over the view tables: filters, scopes, pages and "as of" answers."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Collection, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from application.calendar import ElectionCalendar
from application.projections import FOLDED, board, gaps, incidents, patrols, register
from application.projections import stats as stats_view
from application.projections.anomalies import Limits
from application.projections.common import Doc, with_corrections
from application.projections.subjects import local_date
from application.projections.timeline import FILTERS, item
from application.read import DEFAULT_LIMIT, MAX_LIMIT, Lag, Page, Scope
from domain.errors import InvalidValue, NotFound
from domain.values import aware
from infrastructure.views import tables
from infrastructure.views.history import replay
from infrastructure.views.runner import lag_of, wait_for
from infrastructure.views.store import ViewStore
from infrastructure.views.tables import dumps, loads, micros

SITE_STATUSES = ("green", "amber", "red")
INCIDENT_STATUSES = ("open", "resolved", "closed")
PATROL_STATUSES = ("planned", "active", "ended")
PATROL_ORDER = {"active": 0, "planned": 1, "ended": 2}


def encode_cursor(value: int) -> str:
    return base64.urlsafe_b64encode(json.dumps([value]).encode()).decode().rstrip("=")


# Above any position or offset a list gives out, and inside every store's integers.
MAX_CURSOR = 2**53
MAX_CURSOR_TEXT = 64


def decode_cursor(cursor: str | None) -> int:
    if cursor is None:
        return 0
    try:
        if len(cursor) > MAX_CURSOR_TEXT:
            raise ValueError
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))[0]
    except (
        ValueError,
        IndexError,
        TypeError,
        KeyError,
        RecursionError,
        binascii.Error,
    ):
        raise InvalidValue("cursor", "is not a cursor this list gave out") from None
    # `true` is an int to Python; a cursor is only ever a plain whole number.
    if type(value) is not int or not 0 <= value <= MAX_CURSOR:
        raise InvalidValue("cursor", "is not a cursor this list gave out")
    return value


def check_limit(limit: int) -> int:
    if (
        isinstance(limit, bool)
        or not isinstance(limit, int)
        or not 1 <= limit <= MAX_LIMIT
    ):
        raise InvalidValue("limit", f"must be between 1 and {MAX_LIMIT}")
    return limit


def check_time(value: datetime | None, field: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise InvalidValue(field, "must be a date and time with a timezone offset")
    return aware(value, field)


def check_choice(value: str | None, field: str, allowed: Sequence[str]) -> None:
    if value is not None and value not in allowed:
        raise InvalidValue(field, f"must be one of {', '.join(allowed)}")


def in_scope(regions: Sequence[Sequence[str | None]], scope: Scope) -> bool:
    """Whether anything in `regions` ([province, regency]) lies inside `scope`."""
    if scope is None:
        return True
    return any(
        province == p and (r is None or regency == r)
        for province, regency in regions
        for p, r in scope
    )


def field_fragments(**fields: str | None) -> list[str]:
    """`"name":value` as the view writer encodes it, for each field given: text a
    document holding that value must contain, so the store can skip the others
    before any is decoded."""
    return [f"{dumps(k)}:{dumps(v)}" for k, v in fields.items() if v is not None]


def like_escaped(text: str) -> str:
    """`text` with LIKE's wildcards and escape character matching only themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def like_pattern(fragment: str) -> str:
    return f"%{like_escaped(fragment)}%"


def like_prefix(prefix: str) -> str:
    return f"{like_escaped(prefix)}%"


def page(
    items: list[Any],
    limit: int,
    cursor: str | None,
    position: int,
    shape: Callable[[Any], dict[str, Any]] | None = None,
) -> Page:
    """One page of `items`; `shape`, if given, makes the page's items only."""
    start = decode_cursor(cursor)
    chosen = items[start : start + check_limit(limit)]
    more = start + len(chosen) < len(items)
    nxt = encode_cursor(start + len(chosen)) if more else None
    shaped = chosen if shape is None else [shape(item) for item in chosen]
    return {"items": shaped, "next": nxt, "as_of_position": position}


class SqlReadModel:
    """Answers from the live view tables (or from fixed generations, for checks)."""

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

    def sites(
        self,
        *,
        province: str | None = None,
        regency: str | None = None,
        kind: str | None = None,
        status: str | None = None,
        scope: Scope = None,
        as_of: datetime | None = None,
        as_of_position: int | None = None,
        limit: int = DEFAULT_LIMIT,
        cursor: str | None = None,
    ) -> Page:
        check_choice(status, "status", SITE_STATUSES)
        check_limit(limit)
        with self.store.transaction(commit=False) as c:
            gens = self._gens(c)
            live, target, now = self._moment(c, gens, as_of, as_of_position)
            # A regency's board at national scale: the store skips other regions'
            # documents rather than this decoding every site in the country.
            docs = self._board_docs(
                c,
                gens,
                target,
                live,
                containing=field_fragments(
                    province=province, regency=regency, kind=kind
                ),
            )
        stage = self._stage(now)
        docs = [
            d
            for d in docs
            if (province is None or d["province"] == province)
            and (regency is None or d["regency"] == regency)
            and (kind is None or d["kind"] == kind)
            and in_scope([[d["province"], d["regency"]]], scope)
        ]
        position = live if target is None else target
        if status is None:  # only the page's sites need judging
            return page(
                docs,
                limit,
                cursor,
                position,
                lambda d: board.row(d, now, stage, self.limits),
            )
        rows = [
            r
            for d in docs
            if (r := board.row(d, now, stage, self.limits))["status"] == status
        ]
        return page(rows, limit, cursor, position)

    def site(
        self,
        site_id: str,
        *,
        scope: Scope = None,
        as_of: datetime | None = None,
        as_of_position: int | None = None,
    ) -> dict[str, Any] | None:
        with self.store.transaction(commit=False) as c:
            gens = self._gens(c)
            live, target, now = self._moment(c, gens, as_of, as_of_position)
            docs = self._board_docs(c, gens, target, live, key=f"site:{site_id}")
        if not docs or not in_scope([[docs[0]["province"], docs[0]["regency"]]], scope):
            return None
        row = board.row(docs[0], now, self._stage(now), self.limits)
        return {**row, "as_of_position": live if target is None else target}

    def anomalies(self, **filters: Any) -> Page:
        """The field anomalies of the sites in the caller's regions, newest first
        (see anomaly_reads)."""
        from infrastructure.views.anomaly_reads import anomalies

        return anomalies(self, **filters)

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

    def gaps(
        self, site_id: str, *, start: datetime, end: datetime, scope: Scope = None
    ) -> dict[str, Any]:
        start_at, end_at = check_time(start, "from"), check_time(end, "to")
        assert start_at is not None and end_at is not None
        if not gaps.window_ok(start_at, end_at):
            raise InvalidValue("to", "must be after from, at most 366 days later")
        with self.store.transaction(commit=False) as c:
            gens = self._gens(c)
            position = self._position(c)
            found = self._docs(c, "gaps", gens, key=f"site:{site_id}")
            if not found or not in_scope(found[0]["regions"], scope):
                raise NotFound(f"unknown site: {site_id}", field="site_id", id=site_id)
            records = self._checks(
                c, gens, site_id, start_at - gaps.LOOK_BACK, end_at, position
            )
        checks = gaps.checks_of(records)
        return {
            **gaps.report(found[0], checks, start_at, end_at),
            "as_of_position": position,
        }

    def _checks(
        self,
        c: Any,
        gens: dict[str, int],
        site_id: str,
        start: datetime,
        end: datetime,
        upto: int,
    ) -> list[dict[str, Any]]:
        """The site's check-ins and check-outs in [start, end), corrections applied."""
        ph = self.ph
        timeline = tables.docs_table("timeline", gens["timeline"])
        subjects = tables.subjects_table(gens["timeline"])
        c.execute(
            f"SELECT t.record FROM {subjects} s JOIN {timeline} t"
            f" ON t.position = s.position WHERE s.subject = {ph}"
            f" AND t.type IN ('CheckedIn', 'CheckedOut')"
            f" AND t.occurred_us >= {ph} AND t.occurred_us < {ph}"
            f" ORDER BY t.position",
            [f"site:{site_id}", micros(start.isoformat()), micros(end.isoformat())],
        )
        records = [loads(r["record"]) for r in c.fetchall()]
        fixes = self._corrections(c, gens, [r["event_id"] for r in records], upto)
        return [
            with_corrections(r, fixes[r["event_id"]]) if r["event_id"] in fixes else r
            for r in records
        ]

    def custody(self, site_id: str, *, scope: Scope = None) -> dict[str, Any] | None:
        with self.store.transaction(commit=False) as c:
            gens = self._gens(c)
            position = self._position(c)
            site = self._docs(c, "board", gens, key=f"site:{site_id}")
            found = self._docs(c, "custody", gens, key=f"site:{site_id}")
        if not site or not in_scope([[site[0]["province"], site[0]["regency"]]], scope):
            return None
        doc = found[0] if found else {"seals": [], "movements": []}
        return {
            "site_id": site_id,
            "seals": doc["seals"],
            "movements": doc["movements"],
            "as_of_position": position,
        }

    # --- incidents and patrols ----------------------------------------------------

    def incidents(
        self,
        *,
        status: str | None = None,
        min_severity: int | None = None,
        site_id: str | None = None,
        scope: Scope = None,
        limit: int = DEFAULT_LIMIT,
        cursor: str | None = None,
    ) -> Page:
        check_choice(status, "status", INCIDENT_STATUSES)
        if min_severity is not None and (
            isinstance(min_severity, bool)
            or not isinstance(min_severity, int)
            or not 1 <= min_severity <= 4
        ):
            raise InvalidValue("min_severity", "must be between 1 and 4")
        check_limit(limit)
        with self.store.transaction(commit=False) as c:
            gens = self._gens(c)
            position = self._position(c)
            docs = self._docs(c, "incidents", gens)
        now = self.clock()
        rows = [
            incidents.row(d, now)
            for d in docs
            if in_scope(d["regions"], scope)
            and (site_id is None or d["site_id"] == site_id)
        ]
        rows = [
            r
            for r in rows
            if (status is None or r["status"] == status)
            and (min_severity is None or (r["severity"] or 0) >= min_severity)
        ]
        rows.sort(
            key=lambda r: (
                r["status"] != "open",
                -(r["severity"] or 0),
                r["reported_at"] or "",
                r["incident_id"],
            )
        )
        return page(rows, limit, cursor, position)

    def incident(
        self, incident_id: str, *, scope: Scope = None
    ) -> dict[str, Any] | None:
        with self.store.transaction(commit=False) as c:
            found = self._docs(
                c, "incidents", self._gens(c), key=f"incident:{incident_id}"
            )
            position = self._position(c)
        if not found or not in_scope(found[0]["regions"], scope):
            return None
        return {**incidents.row(found[0], self.clock()), "as_of_position": position}

    def patrols(
        self,
        *,
        status: str | None = None,
        scope: Scope = None,
        limit: int = DEFAULT_LIMIT,
        cursor: str | None = None,
    ) -> Page:
        check_choice(status, "status", PATROL_STATUSES)
        check_limit(limit)
        with self.store.transaction(commit=False) as c:
            gens = self._gens(c)
            position = self._position(c)
            docs = self._docs(c, "patrols", gens)
        docs = [
            d
            for d in docs
            if in_scope(d["regions"], scope)
            and (status is None or d["status"] == status)
        ]
        docs.sort(key=lambda d: d["patrol_id"])
        docs.sort(key=lambda d: d["started_at"] or d["planned_at"], reverse=True)
        docs.sort(key=lambda d: PATROL_ORDER[d["status"]])
        return page(docs, limit, cursor, position, patrols.row)

    def patrol(self, patrol_id: str, *, scope: Scope = None) -> dict[str, Any] | None:
        with self.store.transaction(commit=False) as c:
            found = self._docs(c, "patrols", self._gens(c), key=f"patrol:{patrol_id}")
            position = self._position(c)
        if not found or not in_scope(found[0]["regions"], scope):
            return None
        return {**patrols.row(found[0]), "as_of_position": position}

    # --- timelines ------------------------------------------------------------------

    def timeline(
        self,
        *,
        site_id: str | None = None,
        unit_id: str | None = None,
        personnel_id: str | None = None,
        patrol_id: str | None = None,
        incident_id: str | None = None,
        types: Sequence[str] | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        scope: Scope = None,
        as_of: datetime | None = None,
        as_of_position: int | None = None,
        limit: int = DEFAULT_LIMIT,
        cursor: str | None = None,
        newest_first: bool = False,
        without_sites: Collection[str] = (),
    ) -> Page:
        check_limit(limit)
        after = decode_cursor(cursor)
        start_at, end_at = check_time(start, "from"), check_time(end, "to")
        given = {
            "site_id": site_id,
            "unit_id": unit_id,
            "personnel_id": personnel_id,
            "patrol_id": patrol_id,
            "incident_id": incident_id,
        }
        ph = self.ph
        with self.store.transaction(commit=False) as c:
            gens = self._gens(c)
            live, target, _ = self._moment(c, gens, as_of, as_of_position)
            upto = live if target is None else target
            timeline = tables.docs_table("timeline", gens["timeline"])
            subjects = tables.subjects_table(gens["timeline"])
            where = [f"t.position > {ph}", f"t.position <= {ph}"]
            params: list[Any] = [after, upto]
            if newest_first:  # the cursor is then the position to go back from
                where, params = [f"t.position <= {ph}"], [upto]
                if cursor is not None:
                    where.append(f"t.position < {ph}")
                    params.append(after)
            for field, value in given.items():
                if value is not None:
                    where.append(
                        f"t.position IN (SELECT position FROM {subjects}"
                        f" WHERE subject = {ph})"
                    )
                    params.append(f"{FILTERS[field]}:{value}")
            if without_sites:
                where.append(
                    f"t.position NOT IN (SELECT position FROM {subjects}"
                    f" WHERE subject IN ({','.join([ph] * len(without_sites))}))"
                )
                params += [f"site:{s}" for s in sorted(without_sites)]
            if types:
                where.append(f"t.type IN ({','.join([ph] * len(types))})")
                params += list(types)
            if start_at is not None:
                where.append(f"t.occurred_us >= {ph}")
                params.append(micros(start_at.isoformat()))
            if end_at is not None:
                where.append(f"t.occurred_us < {ph}")
                params.append(micros(end_at.isoformat()))
            if scope is not None:
                if not scope:
                    return {"items": [], "next": None, "as_of_position": upto}
                ors = []
                for province, regency in scope:
                    # A slug may hold '_', a LIKE wildcard: escaped, it matches
                    # only itself.
                    if regency:
                        ors.append(f"subject = {ph}")
                        params.append(f"region:{province}/{regency}")
                    else:
                        ors.append(f"subject LIKE {ph} ESCAPE '\\'")
                        params.append(like_prefix(f"region:{province}/"))
                where.append(
                    f"t.position IN (SELECT position FROM {subjects}"
                    f" WHERE {' OR '.join(ors)})"
                )
            c.execute(
                f"SELECT t.record FROM {timeline} t WHERE {' AND '.join(where)}"
                f" ORDER BY t.position{' DESC' if newest_first else ''} LIMIT {ph}",
                [*params, limit + 1],
            )
            records = [loads(r["record"]) for r in c.fetchall()]
            more = len(records) > limit
            records = records[:limit]
            fixes = self._corrections(c, gens, [r["event_id"] for r in records], upto)
            items = [item(r, fixes.get(r["event_id"], [])) for r in records]
            # What the board found wrong in these entries, as of the same position.
            from infrastructure.views.anomaly_reads import flag_entries

            flag_entries(self, c, gens, target, live, items)
        nxt = encode_cursor(records[-1]["position"]) if more else None
        return {"items": items, "next": nxt, "as_of_position": upto}

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

    def register(
        self,
        *,
        unit_id: str | None = None,
        personnel_id: str | None = None,
        scope: Scope = None,
    ) -> dict[str, Any]:
        with self.store.transaction(commit=False) as c:
            gens = self._gens(c)
            position = self._position(c)
            units = self._docs(c, "register", gens, prefix="unit:")
            people = self._docs(c, "register", gens, prefix="personnel:")
        regions = {u["unit_id"]: [[u["province"], u["regency"]]] for u in units}

        def has_entries(doc: Doc) -> bool:
            return bool(doc["pledges"] or doc["concerns"] or doc["incidents"])

        unit_rows = [
            register.row(u)
            for u in units
            if in_scope(regions[u["unit_id"]], scope)
            and (unit_id is None or u["unit_id"] == unit_id)
            and personnel_id is None
        ]
        people_rows = [
            register.row(p)
            for p in people
            if in_scope(regions.get(p["unit_id"] or "", []), scope)
            and (unit_id is None or p["unit_id"] == unit_id)
            and (personnel_id is None or p["personnel_id"] == personnel_id)
            and (personnel_id is not None or has_entries(p))
        ]
        return {
            "units": unit_rows,
            "personnel": people_rows,
            "as_of_position": position,
        }

    def people(
        self,
        *,
        unit_id: str | None = None,
        personnel_ids: Sequence[str] | None = None,
        unit_ids: Sequence[str] | None = None,
        scope: Scope = None,
        units_only: bool = False,
    ) -> dict[str, Any]:
        """Units and personnel by name, rank and unit (no ID numbers): one unit's
        people (a roster to pick from), the named ones (to show names, not ids), or
        every unit."""
        named = personnel_ids is not None or unit_ids is not None
        wanted = [f"personnel:{p}" for p in personnel_ids or ()] + [
            f"unit:{u}" for u in unit_ids or ()
        ]
        with self.store.transaction(commit=False) as c:
            gens = self._gens(c)
            position = self._position(c)
            if named:
                docs: list[Doc] = []
                table = tables.docs_table("register", gens["register"])
                for start in range(0, len(wanted), 500):
                    chunk = wanted[start : start + 500]
                    c.execute(
                        f"SELECT doc FROM {table} WHERE doc_key IN"
                        f" ({','.join([self.ph] * len(chunk))})",
                        chunk,
                    )
                    docs += [loads(r["doc"]) for r in c.fetchall()]
                units = [d for d in docs if "personnel_id" not in d]
                people = [d for d in docs if "personnel_id" in d]
                homes = {d["unit_id"] for d in people} - {u["unit_id"] for u in units}
                for home in sorted(h for h in homes if h):
                    units += self._docs(c, "register", gens, key=f"unit:{home}")
            else:
                fragment = [f'"unit_id":"{unit_id}"'] if unit_id else []
                units = self._docs(c, "register", gens, prefix="unit:")
                people = (
                    []
                    if units_only
                    else self._docs(
                        c, "register", gens, prefix="personnel:", containing=fragment
                    )
                )
        regions = {u["unit_id"]: [[u["province"], u["regency"]]] for u in units}
        unit_fields = ("unit_id", "name", "kind", "province", "regency")
        person_fields = ("personnel_id", "name", "rank", "position", "unit_id")
        return {
            "units": [
                {f: u.get(f) for f in unit_fields}
                for u in units
                if in_scope(regions[u["unit_id"]], scope)
                and (unit_id is None or u["unit_id"] == unit_id)
            ],
            "personnel": [
                {f: p.get(f) for f in person_fields}
                for p in people
                if in_scope(regions.get(p["unit_id"] or "", []), scope)
                and (unit_id is None or p["unit_id"] == unit_id)
            ],
            "as_of_position": position,
        }

    def stats(
        self,
        *,
        province: str | None = None,
        regency: str | None = None,
        date: date | None = None,
        scope: Scope = None,
    ) -> Page:
        day = None if date is None else date.isoformat()
        with self.store.transaction(commit=False) as c:
            gens = self._gens(c)
            position = self._position(c)
            docs = self._docs(c, "stats", gens)
            sites = self._docs(c, "board", gens, prefix="site:")
        rows = []
        for d in docs:
            if (
                (province and d["province"] != province)
                or (regency and d["regency"] != regency)
                or (day and d["date"] != day)
                or not in_scope([[d["province"], d["regency"]]], scope)
            ):
                continue
            count = sum(
                1
                for s in sites
                if s["province"] == d["province"]
                and s["regency"] == d["regency"]
                and local_date(s["registered_at"], s["timezone"]) <= d["date"]
            )
            row = stats_view.row(d, count)
            rows.append({k: v for k, v in row.items() if k != "visited_sites"})
        rows.sort(key=lambda r: (r["date"], r["province"], r["regency"]))
        return {"items": rows, "next": None, "as_of_position": position}

    # --- freshness ------------------------------------------------------------------

    def wait_for_position(self, position: int, timeout: float = 5.0) -> bool:
        return wait_for(self.store, position, timeout)

    def lag(self) -> Lag:
        return self._lag() if self._lag is not None else lag_of(self.store)
