"""Reads of records by kind: incidents, patrols, the neutrality register and
the people and units."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from application.projections import incidents, patrols, register
from application.projections.common import Doc
from application.read import DEFAULT_LIMIT, Page, Scope
from domain.errors import InvalidValue
from infrastructure.views import tables
from infrastructure.views.paging import (
    INCIDENT_STATUSES,
    PATROL_ORDER,
    PATROL_STATUSES,
    check_choice,
    check_limit,
    in_scope,
    page,
)
from infrastructure.views.read_base import ReadBase
from infrastructure.views.tables import loads


class RecordReads(ReadBase):
    """Reads of records by kind."""

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
