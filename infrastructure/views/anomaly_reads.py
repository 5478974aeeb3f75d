"""The anomalies list: the field anomalies the board's documents hold, site by site,
judged against the limits in force, filtered and paged, newest first."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from application.projections import anomalies as rules
from application.read import DEFAULT_LIMIT, Page, Scope
from domain.errors import InvalidValue
from infrastructure.views.paging import (
    check_choice,
    check_time,
    field_fragments,
    in_scope,
    page,
)

if TYPE_CHECKING:
    from infrastructure.views.read_base import ReadBase

SITE_FIELDS = ("site_id", "name", "province", "regency", "timezone", "posture")


def anomalies(
    reads: ReadBase,
    *,
    province: str | None = None,
    regency: str | None = None,
    site_id: str | None = None,
    code: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    scope: Scope = None,
    as_of: datetime | None = None,
    as_of_position: int | None = None,
    limit: int = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> Page:
    """`start`/`end` bound when each happened (the field's time); as of a moment or
    position, what the log held then."""
    check_choice(code, "code", rules.CODES)
    start_at, end_at = check_time(start, "from"), check_time(end, "to")
    if start_at and end_at and end_at <= start_at:
        raise InvalidValue("to", "must be after from")
    with reads.store.transaction(commit=False) as c:
        gens = reads._gens(c)
        live, target, _now = reads._moment(c, gens, as_of, as_of_position)
        docs = reads._board_docs(
            c,
            gens,
            target,
            live,
            key=f"site:{site_id}" if site_id else None,
            containing=field_fragments(province=province, regency=regency),
        )
    found: list[dict[str, Any]] = []
    for doc in docs:
        if (
            (province is not None and doc["province"] != province)
            or (regency is not None and doc["regency"] != regency)
            or not in_scope([[doc["province"], doc["regency"]]], scope)
        ):
            continue
        site = {f: doc.get(f) for f in SITE_FIELDS}
        site["site_name"] = site.pop("name")
        for fact in rules.of_site(doc, reads.limits):
            at = datetime.fromisoformat(fact["at"])
            if (start_at and at < start_at) or (end_at and at >= end_at):
                continue
            if code is None or fact["code"] == code:
                found.append({**site, **fact})
    found.sort(key=lambda f: f["position"], reverse=True)
    return page(found, limit, cursor, live if target is None else target)


def flag_entries(
    reads: ReadBase,
    c: Any,
    gens: dict[str, int],
    target: int | None,
    live: int,
    items: list[dict[str, Any]],
) -> None:
    """Marks each timeline entry a field anomaly was found in (`anomalies`), from
    its site's board document as of the same position."""
    sites = sorted({i["site_id"] for i in items if i.get("site_id")})
    found: dict[str, list[dict[str, Any]]] = {}
    for site_id in sites:
        for doc in reads._board_docs(c, gens, target, live, key=f"site:{site_id}"):
            for fact in rules.of_site(doc, reads.limits):
                found.setdefault(fact["event_id"], []).append(fact)
    for entry in items:
        if entry["event_id"] in found:
            entry["anomalies"] = found[entry["event_id"]]
