"""The timeline: every entry about a subject, filtered and paged both ways,
with the corrections that changed it."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from application.projections.timeline import FILTERS, item
from application.read import DEFAULT_LIMIT, Page, Scope
from infrastructure.views import tables
from infrastructure.views.paging import (
    check_limit,
    check_time,
    decode_cursor,
    encode_cursor,
    like_prefix,
)
from infrastructure.views.read_base import ReadBase
from infrastructure.views.tables import loads, micros


class TimelineReads(ReadBase):
    """The timeline."""

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
