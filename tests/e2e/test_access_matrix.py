"""Every role and scope against every endpoint: exactly the allowed set gets in."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

from application.commands.duty import CheckIn, StartShift
from application.commands.incidents import ReportIncident
from application.commands.neutrality import ReportConcern
from application.commands.patrols import PlanPatrol, StartPatrol
from application.commands.reference import (
    IssueAssignment,
    RegisterPersonnel,
    RegisterSite,
    RegisterUnit,
)
from application.writes import SYSTEM, Context
from tests.e2e.conftest import Api

T = "2024-01-03T07:00:00+07:00"
SET_UP = datetime.fromisoformat(T)
ROLES = ("field", "ops", "auditor", "bawaslu", "admin")
IN, OUT = "jawa-timur/kab-jember", "sumatera-selatan"
FIELD_OPS = {"field", "ops"}
READERS = {"field", "ops", "auditor", "bawaslu"}


def build_world(api: Api) -> dict[str, str]:
    """Jember (inside the IN scope) with something of every kind; OKU outside."""
    app, ctx = api.state.jaga, Context(SYSTEM)
    app.run(
        ctx,
        RegisterUnit(
            unit_id="polres-jember",
            name="Polres Jember",
            kind="polri",
            province="jawa-timur",
            regency="kab-jember",
        ),
    )
    for pid in ("jbr-01", "jbr-02"):
        app.run(
            ctx,
            RegisterPersonnel(
                personnel_id=pid,
                id_number=f"NRP-{pid}",
                name=pid,
                unit_id="polres-jember",
            ),
        )
    for site, kind in (
        ("kpu-kab-jember", "kpu_office"),
        ("tps-jember-1", "tps"),
        ("gudang-kpu-kab-jember", "logistics_warehouse"),
    ):
        app.run(
            ctx,
            RegisterSite(
                site_id=site,
                kind=kind,
                name=site,
                province="jawa-timur",
                regency="kab-jember",
            ),
        )
    app.run(
        ctx,
        RegisterSite(
            site_id="kpu-kab-oku",
            kind="kpu_office",
            name="KPU OKU",
            province="sumatera-selatan",
            regency="kab-oku",
            posture="covert",
        ),
    )
    shift = app.run(
        ctx,
        StartShift(
            site_id="kpu-kab-jember",
            unit_id="polres-jember",
            commander_id="jbr-01",
            roster=["jbr-01"],
            occurred_at=SET_UP,
        ),
    )
    checkin = app.run(
        ctx,
        CheckIn(
            site_id="kpu-kab-jember",
            personnel_id="jbr-01",
            method="qr",
            occurred_at=SET_UP,
        ),
    )
    order = app.run(
        ctx,
        IssueAssignment(
            unit_id="polres-jember",
            site_id="kpu-kab-jember",
            headcount=2,
            starts_at=app.clock(),
            ends_at=app.clock().replace(year=2030),
        ),
    )
    planned = app.run(
        ctx,
        PlanPatrol(
            kind="routine",
            leader_id="jbr-01",
            unit_ids=["polres-jember"],
            route=["kpu-kab-jember"],
        ),
    )
    started = app.run(
        ctx,
        PlanPatrol(
            kind="routine",
            leader_id="jbr-01",
            unit_ids=["polres-jember"],
            route=["kpu-kab-jember"],
        ),
    )
    app.run(ctx, StartPatrol(patrol_id=started["id"], occurred_at=SET_UP))
    incident = app.run(
        ctx,
        ReportIncident(
            category="protest",
            severity=2,
            description="Massa",
            site_id="kpu-kab-jember",
            occurred_at=SET_UP,
        ),
    )
    concern = app.run(
        ctx,
        ReportConcern(
            reported_unit_id="polres-jember",
            place="Jember",
            description="Atribut partai",
            reporter="Warga",
            occurred_at=SET_UP,
        ),
    )
    target = api.state.keys.create("field", "to revoke")[0]
    return {
        "shift": shift["id"],
        "event": checkin["event_id"],
        "order": order["id"],
        "planned": planned["id"],
        "patrol": started["id"],
        "incident": incident["id"],
        "concern": concern["id"],
        "key": target.key_id,
    }


def endpoints(w: dict[str, str]) -> list[tuple[str, str, Any, set[str], str]]:
    """(method, path, body, roles allowed, region rule): `site` — only keys whose
    regions hold Jember; `any` — every scope, answers filtered; `global` — only keys
    without regions."""
    s = "/api/v1/sites/kpu-kab-jember"
    i = f"/api/v1/incidents/{w['incident']}"
    p = f"/api/v1/patrols/{w['patrol']}"
    person = {"personnel_id": "jbr-02", "occurred_at": T}
    at = {"occurred_at": T}
    ref, duty = {"ops", "admin"}, FIELD_OPS
    return [
        (
            "POST",
            "/api/v1/sites",
            {
                "site_id": "tps-jember-{n}",
                "kind": "tps",
                "name": "TPS",
                "province": "jawa-timur",
                "regency": "kab-jember",
            },
            ref,
            "site",
        ),
        ("POST", f"{s}/updates", {"name": "KPU Jember"}, ref, "site"),
        (
            "POST",
            f"{s}/alert-level",
            {"level": "siaga", "reason": "r", **at},
            ref,
            "site",
        ),
        ("POST", f"{s}/guard-requirement", {"required_guards": 3}, ref, "site"),
        (
            "POST",
            "/api/v1/sites/tps-jember-1/decommission",
            {"reason": "r"},
            ref,
            "site",
        ),
        (
            "POST",
            "/api/v1/units",
            {
                "unit_id": "unit-{n}",
                "name": "U",
                "kind": "tni",
                "province": "jawa-timur",
                "regency": "kab-jember",
            },
            ref,
            "site",
        ),
        (
            "POST",
            "/api/v1/personnel",
            {
                "personnel_id": "p-{n}",
                "id_number": "1",
                "name": "P",
                "unit_id": "polres-jember",
            },
            ref,
            "site",
        ),
        (
            "POST",
            "/api/v1/assignments",
            {
                "unit_id": "polres-jember",
                "site_id": "kpu-kab-jember",
                "headcount": 1,
                "starts_at": T,
                "ends_at": "2024-02-03T07:00:00+07:00",
            },
            ref,
            "site",
        ),
        (
            "POST",
            f"/api/v1/assignments/{w['order']}/revoke",
            {"reason": "r"},
            ref,
            "site",
        ),
        (
            "POST",
            "/api/v1/sites/gudang-kpu-kab-jember/shifts",
            {
                "unit_id": "polres-jember",
                "commander_id": "jbr-02",
                "roster": ["jbr-02"],
                **at,
            },
            duty,
            "site",
        ),
        (
            "POST",
            f"{s}/shifts/{w['shift']}/handover",
            {"incoming_commander_id": "jbr-02", "incoming_roster": ["jbr-02"], **at},
            duty,
            "site",
        ),
        ("POST", f"{s}/shifts/{w['shift']}/end", at, duty, "site"),
        ("POST", f"{s}/check-ins", {**person, "method": "qr"}, duty, "site"),
        ("POST", f"{s}/check-outs", person, duty, "site"),
        (
            "POST",
            f"{s}/seals",
            {"seal_numbers": ["S1"], "status": "intact", **at},
            duty,
            "site",
        ),
        (
            "POST",
            f"{s}/logistics-movements",
            {
                "direction": "in",
                "items": "kotak suara",
                "from_location": "a",
                "to_location": "b",
                **at,
            },
            duty,
            "site",
        ),
        (
            "POST",
            "/api/v1/patrols",
            {
                "kind": "joint",
                "leader_id": "jbr-01",
                "unit_ids": ["polres-jember"],
                "route": ["kpu-kab-jember"],
            },
            {"ops"},
            "site",
        ),
        ("POST", f"/api/v1/patrols/{w['planned']}/start", at, duty, "site"),
        (
            "POST",
            f"{p}/visits",
            {"site_id": "kpu-kab-jember", "arrived_at": T, "condition": "aman"},
            duty,
            "site",
        ),
        (
            "POST",
            "/api/v1/incidents",
            {
                "category": "riot",
                "severity": 2,
                "description": "d",
                "site_id": "kpu-kab-jember",
                **at,
            },
            duty,
            "site",
        ),
        ("POST", f"{i}/acknowledge", at, duty, "site"),
        ("POST", f"{i}/backup-requests", at, duty, "site"),
        ("POST", f"{i}/backup-arrivals", at, duty, "site"),
        (
            "POST",
            f"{i}/escalations",
            {"severity": 4, "reason": "r", **at},
            duty,
            "site",
        ),
        ("POST", f"{i}/notes", {"text": "t", **at}, duty, "site"),
        ("POST", f"{i}/resolve", {"resolution": "r", **at}, duty, "site"),
        ("POST", f"{i}/close", at, duty, "site"),
        ("POST", f"{i}/reopen", {"reason": "r", **at}, duty, "site"),
        (
            "POST",
            "/api/v1/neutrality/pledges",
            {
                "unit_id": "polres-jember",
                "election": "pemilu-2024",
                "document_ref": "MoU",
                **at,
            },
            {"ops"},
            "site",
        ),
        (
            "POST",
            "/api/v1/neutrality/concerns",
            {
                "reported_unit_id": "polres-jember",
                "place": "p",
                "description": "d",
                "reporter": "r",
                **at,
            },
            {"field", "ops", "bawaslu"},
            "site",
        ),
        (
            "POST",
            f"/api/v1/neutrality/concerns/{w['concern']}/reviews",
            {"finding": "no_violation"},
            {"bawaslu"},
            "site",
        ),
        (
            "POST",
            "/api/v1/corrections",
            {"event_id": w["event"], "reason": "r", "changes": {"method": "manual"}},
            {"ops"},
            "site",
        ),
        ("POST", f"{p}/end", at, duty, "site"),
        (
            "POST",
            "/api/v1/batch",
            {
                "commands": [
                    {"path": f"{s}/check-ins", "body": {**person, "method": "qr"}}
                ]
            },
            duty,
            "any",
        ),
        ("GET", "/api/v1/sites", None, READERS, "any"),
        ("GET", s, None, READERS, "site"),
        ("GET", f"{s}/gaps", None, {"ops", "auditor"}, "site"),
        ("GET", f"{s}/custody", None, {"ops", "auditor"}, "site"),
        ("GET", "/api/v1/timeline", None, READERS, "any"),
        ("GET", "/api/v1/stats", None, {"ops", "auditor"}, "any"),
        ("GET", "/api/v1/patrols", None, {"field", "ops", "auditor"}, "any"),
        ("GET", p, None, {"field", "ops", "auditor"}, "site"),
        ("GET", "/api/v1/incidents", None, READERS, "any"),
        ("GET", i, None, READERS, "site"),
        (
            "GET",
            "/api/v1/neutrality/register",
            None,
            {"ops", "auditor", "bawaslu"},
            "any",
        ),
        (
            "GET",
            "/api/v1/audit/checkpoint",
            None,
            {"auditor", "bawaslu", "admin"},
            "global",
        ),
        (
            "GET",
            "/api/v1/audit/leaves/1",
            None,
            {"auditor", "bawaslu", "admin"},
            "global",
        ),
        (
            "GET",
            "/api/v1/audit/proofs/inclusion?position=1&tree_size=2",
            None,
            {"auditor", "bawaslu", "admin"},
            "global",
        ),
        (
            "GET",
            "/api/v1/audit/proofs/consistency?first=1&second=2",
            None,
            {"auditor", "bawaslu", "admin"},
            "global",
        ),
        (
            "GET",
            "/api/v1/audit/export?from_position=1&to_position=3",
            None,
            {"auditor", "bawaslu", "admin"},
            "global",
        ),
        (
            "POST",
            "/api/v1/audit/verify",
            None,
            {"auditor", "bawaslu", "admin"},
            "global",
        ),
        ("POST", "/api/v1/keys", {"role": "field", "name": "k"}, {"admin"}, "global"),
        ("GET", "/api/v1/keys", None, {"admin"}, "any"),
        ("GET", "/metrics", None, {"ops", "admin"}, "any"),
        ("POST", f"/api/v1/keys/{w['key']}/revoke", None, {"admin"}, "global"),
    ]


def _expected(roles: set[str], rule: str, role: str, scope: str | None) -> bool:
    if role not in roles:
        return False
    if rule == "global":
        return scope is None
    return rule == "any" or scope in (None, IN)


def test_every_role_and_scope_reaches_exactly_the_allowed_endpoints(api: Api) -> None:
    world = build_world(api)
    api.caught_up()
    keys = {
        (role, scope): api.key(role, *([scope] if scope else []))
        for role, scope in itertools.product(ROLES, (None, IN, OUT))
    }
    counter = itertools.count()
    mismatches = []
    for method, path, body, roles, rule in endpoints(world):
        for (role, scope), headers in keys.items():
            sent = (
                None
                if body is None
                else {
                    k: v.format(n=next(counter))
                    if isinstance(v, str) and "{n}" in v
                    else v
                    for k, v in body.items()
                }
            )
            reply = api.client.request(method, path, json=sent, headers=headers)
            allowed = _expected(roles, rule, role, scope)
            ok = (
                reply.status_code in (200, 201, 409)
                if allowed
                else (reply.status_code == 403)
            )
            if not ok:
                mismatches.append(
                    (method, path, role, scope, reply.status_code, reply.text[:200])
                )
    assert mismatches == []


def test_a_key_without_a_secret_or_with_a_revoked_one_is_refused(api: Api) -> None:
    assert api.client.get("/api/v1/sites").status_code == 401
    headers = api.key("ops")
    key_id = headers["Authorization"].split("_")[1]
    assert api.client.get("/api/v1/sites", headers=headers).status_code == 200
    api.state.keys.revoke(key_id)
    refused = api.client.get("/api/v1/sites", headers=headers)
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "unauthorized"
