"""Small building blocks of the seed scenario for store tests."""

from __future__ import annotations

from copy import deepcopy
from datetime import datetime, timedelta, timezone
from typing import Any

from application.app import Jaga
from application.commands.reference import RegisterPersonnel, RegisterSite, RegisterUnit
from application.writes import Actor, Context
from domain.site import Site
from domain.values import named_id

WIB = timezone(timedelta(hours=7))
OPS = Actor(id="key-ops", name="Kabag Ops Polres Jember", role="ops")
FIELD = Actor(id="key-field", name="Pos jaga KPU Jember", role="field")
T0 = datetime(2024, 1, 3, 7, 0, tzinfo=WIB)


def ctx(actor: Actor = OPS, key: str | None = None) -> Context:
    return Context(actor=actor, idempotency_key=key, correlation_id="test")


def jember(app: Jaga, guards: int = 6) -> dict[str, Any]:
    """Polres Jember guarding the KPU office at Jl. Imam Bonjol 129."""
    app.run(
        ctx(),
        RegisterUnit(
            unit_id="polres-jember", name="Polres Jember", kind="polri", occurred_at=T0
        ),
    )
    for i in range(1, guards + 1):
        app.run(
            ctx(),
            RegisterPersonnel(
                personnel_id=f"jbr-{i:02d}",
                id_number=f"DEMO-{i:04d}",
                name=f"Anggota {i}",
                unit_id="polres-jember",
                occurred_at=T0,
            ),
        )
    return app.run(
        ctx(),
        RegisterSite(
            site_id="kpu-kab-jember",
            kind="kpu_office",
            name="Kantor KPU Kabupaten Jember",
            province="jawa-timur",
            regency="kab-jember",
            address="Jl. Imam Bonjol No.129",
            required_guards=6,
            occurred_at=T0,
        ),
    )


def site_of(app: Jaga, site_id: str) -> Site:
    """A private copy of a site's aggregate as the store has it now."""
    site_id_ = named_id("site", site_id)
    found = app.load_many([site_id_])[site_id_]
    assert isinstance(found, Site)
    return deepcopy(found)
