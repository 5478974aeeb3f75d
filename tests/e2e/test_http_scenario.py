"""The whole seed scenario sent through the HTTP API, and read back from it."""

from __future__ import annotations

from application.demo import load_demo
from tests.e2e.conftest import Api
from tests.e2e.http_commands import HttpCommands


def test_seed_scenario_through_http_builds_the_board_and_timelines(api: Api) -> None:
    ops = api.key("ops")
    roles = {"bawaslu": api.key("bawaslu")}
    steps = load_demo(HttpCommands(api.client, ops, roles))
    size = api.state.jaga.log.max_position()
    assert steps > 100 and size >= steps

    # Loading again answers every step from its Idempotency-Key: nothing new.
    load_demo(HttpCommands(api.client, ops, roles))
    assert api.state.jaga.log.max_position() == size

    board = api.client.get(
        f"/api/v1/sites?wait_for_position={size}&limit=1000", headers=ops
    ).json()
    assert board["as_of_position"] == size
    rows = {row["site_id"]: row for row in board["items"]}
    assert len(rows) == 13
    oku = rows["kpu-kab-oku"]
    assert oku["posture"] == "covert"
    assert oku["on_duty"]["headcount"] == 10
    assert rows["kpu-kab-jember"]["on_duty"]["roster"] == ["jbr-07", "jbr-08", "jbr-09"]

    jember = api.client.get(
        "/api/v1/timeline?site_id=gudang-kpu-kab-jember&limit=1000", headers=ops
    ).json()["items"]
    types = [item["type"] for item in jember]
    assert {
        "SiteRegistered",
        "ShiftStarted",
        "SealRecorded",
        "ShiftHandedOver",
        "CheckedIn",
        "CheckedOut",
        "SiteVisited",
    } <= set(types)
    assert [i["position"] for i in jember] == sorted(i["position"] for i in jember)
    assert all(i["actor"]["role"] == "ops" for i in jember)

    patrols = api.client.get("/api/v1/patrols?status=ended", headers=ops).json()
    assert len(patrols["items"]) == 6
    joint = [p for p in patrols["items"] if len(p["visits"]) == 4]
    assert joint and [v["site_id"] for v in joint[0]["visits"]][0] == (
        "gudang-kpu-kab-jember"
    )

    register = api.client.get(
        "/api/v1/neutrality/register?unit_id=polres-tuban", headers=ops
    ).json()
    assert register["units"][0]["pledges"]


def test_field_day_recorded_with_curl_like_calls_shows_on_board(api: Api) -> None:
    ops = api.key("ops")
    load_demo(HttpCommands(api.client, ops, {"bawaslu": api.key("bawaslu")}))
    post = api.client.post
    site = "/api/v1/sites/kpu-kab-jember"
    now = "2024-11-27T07:00:00+07:00"  # Pilkada voting day
    size = api.state.jaga.log.max_position()
    board = api.client.get(f"{site}?wait_for_position={size}", headers=ops).json()
    shift_id = board["on_duty"]["shift_id"]
    checked = post(
        f"{site}/check-ins",
        headers=ops,
        json={"personnel_id": "jbr-01", "method": "qr", "occurred_at": now},
    )
    handover = post(
        f"{site}/shifts/{shift_id}/handover",
        headers=ops,
        json={
            "incoming_commander_id": "jbr-01",
            "incoming_roster": ["jbr-01", "jbr-02"],
            "observations": "Hari pemungutan suara: aman.",
            "occurred_at": now,
        },
    )
    patrol = post(
        "/api/v1/patrols",
        headers=ops,
        json={
            "kind": "routine",
            "leader_id": "toha",
            "unit_ids": ["polres-jember"],
            "route": ["kpu-kab-jember"],
        },
    ).json()["id"]
    post(f"/api/v1/patrols/{patrol}/start", headers=ops, json={"occurred_at": now})
    visit = post(
        f"/api/v1/patrols/{patrol}/visits",
        headers=ops,
        json={"site_id": "kpu-kab-jember", "arrived_at": now, "condition": "aman"},
    )
    incident = post(
        "/api/v1/incidents",
        headers=ops,
        json={
            "category": "protest",
            "severity": 3,
            "description": "Massa berkumpul",
            "occurred_at": now,
            "site_id": "kpu-kab-jember",
        },
    )
    assert [r.status_code for r in (checked, handover, visit, incident)] == [201] * 4
    last = incident.json()["position"]

    row = api.client.get(f"{site}?wait_for_position={last}", headers=ops).json()
    assert row["on_duty"]["shift_id"] == handover.json()["id"]
    assert row["open_incidents"] == 1 and row["max_open_severity"] == 3
    assert row["last_patrol_visit"]["patrol_id"] == patrol
    assert row["status"] == "red"
    timeline = api.client.get(
        f"/api/v1/timeline?site_id=kpu-kab-jember&from={now.replace('+', '%2B')}",
        headers=ops,
    ).json()["items"]
    recorded = ["CheckedIn", "ShiftHandedOver", "SiteVisited", "IncidentReported"]
    assert [i["type"] for i in timeline if i["type"] in recorded] == recorded
