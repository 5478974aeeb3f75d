"""Who guards, patrols or was involved at a covert site reaches a Bawaslu key by no
read: not the board, the timeline (filtered by the guard or the unit, or not), the
incidents, the register, CSV, reports or the dashboard's pages. Both stores."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import Api
from tests.e2e.test_audit_redaction import T, guarded_covert_site

GUARDS = ("oku-07", "satgas-oku")


@pytest.fixture
def covert(api: Api) -> dict[str, Any]:
    """The covert site guarded, patrolled, and the scene of an incident with
    backup; what every read below must keep from Bawaslu."""
    guarded_covert_site(api)
    ops = api.key("ops")

    def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = api.client.post(f"/api/v1{path}", headers=ops, json=body)
        assert answer.status_code == 201, (path, answer.text)
        found: dict[str, Any] = answer.json()
        return found

    patrol = post(
        "/patrols",
        {
            "kind": "routine",
            "leader_id": "oku-07",
            "unit_ids": ["satgas-oku"],
            "route": ["kpu-kab-oku"],
        },
    )["id"]
    post(f"/patrols/{patrol}/start", {"occurred_at": T})
    post(
        f"/patrols/{patrol}/visits",
        {"site_id": "kpu-kab-oku", "arrived_at": T, "condition": "aman"},
    )
    incident = post(
        "/incidents",
        {
            "category": "neutrality_violation",
            "severity": 2,
            "site_id": "kpu-kab-oku",
            "description": "Anggota berkampanye",
            "occurred_at": T,
            "involved_unit_ids": ["satgas-oku"],
            "involved_personnel_ids": ["oku-07"],
        },
    )["id"]
    post(
        f"/incidents/{incident}/backup-requests",
        {"occurred_at": T, "units": ["satgas-oku"]},
    )
    api.caught_up()
    return {"patrol": patrol, "incident": incident}


def guards_in(text: str) -> list[str]:
    return [g for g in GUARDS if g in text]


def test_a_filter_on_a_covert_sites_guard_or_unit_matches_nothing_there(
    api: Api, covert: dict[str, Any]
) -> None:
    bawaslu, ops = api.key("bawaslu"), api.key("ops")
    for field, value in (("personnel_id", "oku-07"), ("unit_id", "satgas-oku")):
        url = f"/api/v1/timeline?{field}={value}&limit=1000"
        seen = api.client.get(url, headers=bawaslu).json()["items"]
        # The registry entries name them; nothing at the covert site does.
        assert {i["type"] for i in seen} <= {"UnitRegistered", "PersonnelRegistered"}
        assert all(not i["site_id"] for i in seen)
        full = api.client.get(url, headers=ops).json()["items"]
        assert {"ShiftStarted", "PatrolPlanned", "IncidentReported"} <= {
            i["type"] for i in full
        }
        as_csv = api.client.get(f"{url}&format=csv", headers=bawaslu)
        assert as_csv.status_code == 200 and "kpu-kab-oku" not in as_csv.text


def test_the_api_shows_bawaslu_no_one_at_a_covert_site(
    api: Api, covert: dict[str, Any]
) -> None:
    bawaslu, ops = api.key("bawaslu"), api.key("ops")
    site = api.client.get("/api/v1/sites/kpu-kab-oku", headers=bawaslu).json()
    assert site["last_patrol_visit"]["patrol_id"] == covert["patrol"]
    assert "leader_id" not in site["last_patrol_visit"]
    full = api.client.get("/api/v1/sites/kpu-kab-oku", headers=ops).json()
    assert full["last_patrol_visit"]["leader_id"] == "oku-07"
    for url in (
        "/api/v1/sites",
        "/api/v1/sites/kpu-kab-oku",
        "/api/v1/sites?format=csv",
        "/api/v1/timeline?limit=1000",
        "/api/v1/timeline?site_id=kpu-kab-oku&limit=1000",
        f"/api/v1/timeline?patrol_id={covert['patrol']}&limit=1000",
        f"/api/v1/timeline?incident_id={covert['incident']}&limit=1000",
        "/api/v1/timeline?limit=1000&format=csv",
        "/api/v1/incidents",
        "/api/v1/incidents?format=csv",
        f"/api/v1/incidents/{covert['incident']}",
        "/api/v1/neutrality/register",
    ):
        answer = api.client.get(url, headers=bawaslu)
        assert answer.status_code == 200, (url, answer.text)
        text = answer.text
        # The registry itself names them, with no site.
        if "format=csv" in url:
            text = "\n".join(
                line for line in text.splitlines() if "Registered" not in line
            )
        elif "timeline?limit" in url or "register" in url:
            body = answer.json()
            text = str(
                [
                    i
                    for i in body.get("items", [])
                    if i.get("type") not in ("UnitRegistered", "PersonnelRegistered")
                ]
            ) + str([p.get("incidents") for p in body.get("personnel", [])])
        assert guards_in(text) == [], (url, guards_in(text))
    planned = api.client.get(
        f"/api/v1/timeline?patrol_id={covert['patrol']}", headers=ops
    ).json()["items"][0]
    assert planned["data"]["leader_id"] == "oku-07"


def test_reports_show_bawaslu_no_one_at_a_covert_site(
    api: Api, covert: dict[str, Any]
) -> None:
    bawaslu = api.key("bawaslu")
    day = T[:10]
    for url in (
        f"/api/v1/reports/daily?site_id=kpu-kab-oku&date={day}",
        f"/api/v1/reports/daily.html?site_id=kpu-kab-oku&date={day}",
    ):
        answer = api.client.get(url, headers=bawaslu)
        assert answer.status_code == 200, answer.text
        assert guards_in(answer.text) == [], (url, guards_in(answer.text))
    unit = api.client.get(
        f"/api/v1/reports/unit?unit_id=satgas-oku&date={day}", headers=bawaslu
    )
    assert unit.status_code == 200, unit.text
    assert "kpu-kab-oku" not in unit.text
    full = api.client.get(
        f"/api/v1/reports/unit?unit_id=satgas-oku&date={day}", headers=api.key("ops")
    )
    assert "kpu-kab-oku" in full.text


def test_the_dashboard_shows_bawaslu_no_one_at_a_covert_site(
    api: Api, covert: dict[str, Any]
) -> None:
    secret = api.key("bawaslu")["Authorization"].removeprefix("Bearer ")
    signed = api.client.post(
        "/sign-in", data={"key": secret, "next": "/"}, follow_redirects=False
    )
    assert signed.status_code == 303, signed.text
    for url in ("/", "/sites/kpu-kab-oku", "/incidents?status=all", "/register?all=1"):
        page = api.client.get(url)
        assert page.status_code == 200, (url, page.text[:500])
        text = page.text
        if url.startswith("/register"):
            # The register lists every person; none with the covert incident.
            assert "Anggota berkampanye" not in text
            continue
        assert guards_in(text) == [] and "Bripka Tujuh" not in text, url
