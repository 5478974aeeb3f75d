"""Regions hold at their edges: a scope matches only its own region, a scoped key
names only units and people of its regions, and a record belongs to its site's
region whoever it names."""

from __future__ import annotations

from application.commands.incidents import ReportIncident
from application.commands.patrols import PlanPatrol
from application.commands.reference import (
    RegisterPersonnel,
    RegisterSite,
    RegisterUnit,
)
from application.writes import SYSTEM, Context
from tests.e2e.conftest import Api
from tests.e2e.test_access_matrix import IN, SET_UP, T, build_world


def _tuban(api: Api) -> None:
    """A Tuban site and unit (Jawa Timur, outside the Jember scope)."""
    app, ctx = api.state.jaga, Context(SYSTEM)
    app.run(
        ctx,
        RegisterUnit(
            unit_id="polres-tuban",
            name="Polres Tuban",
            kind="polri",
            province="jawa-timur",
            regency="kab-tuban",
        ),
    )
    app.run(
        ctx,
        RegisterPersonnel(
            personnel_id="tbn-01", id_number="NRP-t1", name="t1", unit_id="polres-tuban"
        ),
    )
    app.run(
        ctx,
        RegisterSite(
            site_id="kpu-kab-tuban",
            kind="kpu_office",
            name="KPU Tuban",
            province="jawa-timur",
            regency="kab-tuban",
        ),
    )


def test_a_scope_with_a_like_wildcard_matches_only_itself(api: Api) -> None:
    build_world(api)
    api.caught_up()
    wildcard = api.key("auditor", "jawa_timur")
    exact = api.key("auditor", "jawa-timur")
    seen = api.client.get("/api/v1/timeline", headers=wildcard)
    assert seen.status_code == 200, seen.text
    assert seen.json()["items"] == []
    assert api.client.get("/api/v1/timeline", headers=exact).json()["items"]
    made = api.client.post(
        "/api/v1/keys",
        json={"role": "ops", "name": "x", "scope": ["jawa%"]},
        headers=api.key("admin"),
    )
    assert made.status_code == 422
    assert made.json()["error"]["details"]["errors"][0]["field"].startswith("scope")


def test_a_scoped_key_may_not_name_units_or_people_of_other_regions(
    api: Api,
) -> None:
    build_world(api)
    _tuban(api)
    jember = api.key("ops", IN)
    order = {
        "unit_id": "polres-tuban",
        "site_id": "kpu-kab-jember",
        "headcount": 2,
        "starts_at": T,
        "ends_at": "2030-01-01T00:00:00+07:00",
    }
    patrol = {
        "kind": "routine",
        "leader_id": "jbr-01",
        "unit_ids": ["polres-jember", "polres-tuban"],
        "route": ["kpu-kab-jember"],
    }
    led = {**patrol, "leader_id": "tbn-01", "unit_ids": ["polres-jember"]}
    for path, body in (
        ("/api/v1/assignments", order),
        ("/api/v1/patrols", patrol),
        ("/api/v1/patrols", led),
    ):
        refused = api.client.post(path, json=body, headers=jember)
        assert refused.status_code == 403, (path, body, refused.text)
    own = {**order, "unit_id": "polres-jember"}
    assert api.client.post("/api/v1/assignments", json=own, headers=jember).is_success


def test_a_record_at_another_regions_site_is_not_read_through_a_unit_it_names(
    api: Api,
) -> None:
    build_world(api)
    _tuban(api)
    app, ctx = api.state.jaga, Context(SYSTEM)
    incident = app.run(
        ctx,
        ReportIncident(
            category="protest",
            severity=3,
            description="Di Tuban",
            site_id="kpu-kab-tuban",
            involved_unit_ids=["polres-jember"],
            involved_personnel_ids=["jbr-02"],
            occurred_at=SET_UP,
        ),
    )
    patrol = app.run(
        ctx,
        PlanPatrol(
            kind="routine",
            leader_id="jbr-01",
            unit_ids=["polres-jember"],
            route=["kpu-kab-tuban"],
        ),
    )
    api.caught_up()
    jember = api.key("auditor", IN)
    tuban = api.key("auditor", "jawa-timur/kab-tuban")
    path = f"/api/v1/incidents/{incident['id']}"
    assert api.client.get(path, headers=tuban).status_code == 200
    assert api.client.get(path, headers=jember).status_code in (403, 404)
    listed = api.client.get("/api/v1/incidents", headers=jember).json()["items"]
    assert incident["id"] not in {i["incident_id"] for i in listed}
    patrols = api.client.get("/api/v1/patrols", headers=jember).json()["items"]
    assert patrol["id"] not in {p["patrol_id"] for p in patrols}
    for params in ({}, {"unit_id": "polres-jember"}, {"personnel_id": "jbr-02"}):
        items = api.client.get(
            "/api/v1/timeline", params=params, headers=jember
        ).json()["items"]
        sites = {i.get("site_id") for i in items}
        assert "kpu-kab-tuban" not in sites, params
        ids = {i.get("aggregate_id") for i in items}
        assert incident["id"] not in ids and patrol["id"] not in ids, params
