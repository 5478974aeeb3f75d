"""The events that name an attachment, read from the timeline's subject index: an
upload is shown only through an event that names it and that the reader may see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from application.projections.timeline import site_of
from application.read import Scope
from infrastructure.views import tables
from infrastructure.views.paging import in_scope
from infrastructure.views.store import ViewStore
from infrastructure.views.tables import loads

MAX_REFERENCES = 1000


@dataclass(frozen=True)
class Reference:
    """One event naming the attachment, as much of it as the rules need."""

    position: int
    event_id: str
    type: str
    site_id: str | None
    regions: list[list[str | None]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "event_id": self.event_id,
            "type": self.type,
            "site_id": self.site_id,
        }


def references(store: ViewStore, sha256: str) -> list[Reference]:
    """Every event in the views that names the attachment, in log order."""
    ph = store.ph
    with store.transaction(commit=False) as c:
        generation = store.generations(c)["timeline"]
        timeline = tables.docs_table("timeline", generation)
        subjects = tables.subjects_table(generation)
        c.execute(
            f"SELECT t.record FROM {subjects} s JOIN {timeline} t"
            f" ON t.position = s.position WHERE s.subject = {ph}"
            f" ORDER BY t.position LIMIT {MAX_REFERENCES}",
            [f"attachment:{sha256}"],
        )
        records = [loads(r["record"]) for r in c.fetchall()]
    return [
        Reference(
            position=r["position"],
            event_id=r["event_id"],
            type=r["type"],
            site_id=site_of(r, r.get("owner") or {}),
            regions=r.get("regions") or [],
        )
        for r in records
    ]


def visible(
    found: list[Reference], scope: Scope, hidden_sites: set[str]
) -> list[Reference]:
    """The references a reader may see: inside its regions, and not at a site whose
    evidence is hidden from it (covert sites, for Bawaslu)."""
    return [
        r
        for r in found
        if in_scope(r.regions, scope)
        and (r.site_id is None or r.site_id not in hidden_sites)
    ]
