"""The board's reads: sites and a site, gaps against the assignment orders,
the custody of seals and logistics, anomalies and the stats."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from application.projections import board, gaps
from application.projections import stats as stats_view
from application.projections.common import with_corrections
from application.projections.subjects import local_date
from application.read import DEFAULT_LIMIT, Page, Scope
from domain.errors import InvalidValue, NotFound
from infrastructure.views import tables
from infrastructure.views.paging import (
    SITE_STATUSES,
    check_choice,
    check_limit,
    check_time,
    field_fragments,
    in_scope,
    page,
)
from infrastructure.views.read_base import ReadBase
from infrastructure.views.tables import loads, micros


class BoardReads(ReadBase):
    """The board's reads."""

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
