"""Idempotency, batches, error answers and Bawaslu's redactions, over HTTP."""

from __future__ import annotations

from typing import Any

from application.commands.reference import RegisterPersonnel, RegisterSite, RegisterUnit
from application.writes import SYSTEM, Context
from tests.e2e.conftest import Api

T = "2024-01-03T07:00:00+07:00"
CHECK_IN = {"personnel_id": "jbr-01", "method": "qr", "occurred_at": T}
SITE = "/api/v1/sites/kpu-kab-jember"


def jember(api: Api) -> None:
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
    app.run(
        ctx,
        RegisterPersonnel(
            personnel_id="jbr-01",
            id_number="NRP-77010001",
            name="Bripda Satu",
            unit_id="polres-jember",
        ),
    )
    app.run(
        ctx,
        RegisterSite(
            site_id="kpu-kab-jember",
            kind="kpu_office",
            name="KPU",
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


def error_of(reply: Any) -> tuple[int, str]:
    return reply.status_code, reply.json()["error"]["code"]


def test_retry_with_same_key_answers_the_same_and_writes_once(api: Api) -> None:
    jember(api)
    ops = {**api.key("ops"), "Idempotency-Key": "hp-1:check-in:0001"}
    first = api.client.post(f"{SITE}/check-ins", json=CHECK_IN, headers=ops)
    size = api.state.jaga.log.max_position()
    again = api.client.post(f"{SITE}/check-ins", json=CHECK_IN, headers=ops)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert api.state.jaga.log.max_position() == size
    other = api.client.post(
        f"{SITE}/check-ins", json={**CHECK_IN, "method": "nfc"}, headers=ops
    )
    assert error_of(other) == (409, "idempotency_key_reused")
    # Through a batch, the same key and body is the same command.
    batch = api.client.post(
        "/api/v1/batch",
        headers=ops,
        json={
            "commands": [
                {
                    "idempotency_key": "hp-1:check-in:0001",
                    "path": f"{SITE}/check-ins",
                    "body": CHECK_IN,
                }
            ]
        },
    ).json()
    assert batch["results"] == [{"status": 201, "body": first.json()}]
    assert api.state.jaga.log.max_position() == size


def test_batch_answers_each_command_on_its_own(api: Api) -> None:
    jember(api)
    field = api.key("field", "jawa-timur/kab-jember")
    commands = [
        {"idempotency_key": "b-1", "path": f"{SITE}/check-ins", "body": CHECK_IN},
        {
            "path": f"{SITE}/check-ins",
            "body": {**CHECK_IN, "occurred_at": "2024-01-03T07:00:00"},
        },
        {"path": "/api/v1/sites/kpu-kab-oku/check-ins", "body": CHECK_IN},
        {"path": "/api/v1/sites/nowhere/check-ins", "body": CHECK_IN},
        {"path": "/api/v1/sites", "body": {}},
        {"method": "GET", "path": "/api/v1/sites"},
        {"path": "/api/v1/no-such-write", "body": {}},
        {
            "idempotency_key": "b-1",
            "path": f"{SITE}/check-ins",
            "body": {**CHECK_IN, "method": "gps"},
        },
        {"path": f"{SITE}/check-ins", "body": {**CHECK_IN, "surprise": 1}},
        {
            "path": f"{SITE}/check-outs",
            "body": {"personnel_id": "jbr-01", "occurred_at": T},
        },
    ]
    reply = api.client.post("/api/v1/batch", headers=field, json={"commands": commands})
    assert reply.status_code == 200
    results = reply.json()["results"]
    assert [r["status"] for r in results] == [
        201,
        422,
        403,
        404,
        403,
        405,
        404,
        409,
        422,
        201,
    ]
    assert results[1]["body"]["error"]["details"]["field"] == "occurred_at"
    assert results[0]["body"]["position"] < results[-1]["body"]["position"]


def test_every_error_has_its_status_and_named_code(api: Api) -> None:
    jember(api)
    ops = api.key("ops")
    post = api.client.post
    assert error_of(post(f"{SITE}/check-ins", json=CHECK_IN)) == (401, "unauthorized")
    assert error_of(
        post(
            f"{SITE}/check-ins",
            json=CHECK_IN,
            headers={"Authorization": "Bearer jaga_x_y"},
        )
    ) == (401, "unauthorized")
    assert error_of(
        post(f"{SITE}/check-ins", json=CHECK_IN, headers=api.key("auditor"))
    ) == (403, "forbidden")
    assert error_of(
        post(
            "/api/v1/sites/kpu-kab-oku/check-ins",
            json=CHECK_IN,
            headers=api.key("field", "jawa-timur"),
        )
    ) == (403, "forbidden")
    assert error_of(
        post("/api/v1/sites/nowhere/check-ins", json=CHECK_IN, headers=ops)
    ) == (404, "not_found")
    assert error_of(
        post("/api/v1/incidents/not-a-uuid/close", json={"occurred_at": T}, headers=ops)
    ) == (404, "not_found")
    assert error_of(api.client.get("/api/v1/nothing-here")) == (404, "not_found")
    started = post(
        f"{SITE}/shifts",
        headers=ops,
        json={
            "unit_id": "polres-jember",
            "commander_id": "jbr-01",
            "roster": ["jbr-01"],
            "occurred_at": T,
        },
    )
    assert started.status_code == 201
    assert error_of(
        post(
            f"{SITE}/shifts",
            headers=ops,
            json={
                "unit_id": "polres-jember",
                "commander_id": "jbr-01",
                "roster": ["jbr-01"],
                "occurred_at": T,
            },
        )
    ) == (409, "team_already_on_duty")
    incident = post(
        "/api/v1/incidents",
        headers=ops,
        json={
            "category": "fire",
            "severity": 2,
            "description": "Api",
            "occurred_at": T,
            "site_id": "kpu-kab-jember",
        },
    ).json()["id"]
    assert error_of(
        post(
            f"/api/v1/incidents/{incident}/close", headers=ops, json={"occurred_at": T}
        )
    ) == (409, "incident_not_resolved")
    assert error_of(
        post(f"{SITE}/check-ins", headers=ops, content=b"x" * (1024 * 1024 + 1))
    ) == (413, "too_large")
    for bad in (
        {**CHECK_IN, "occurred_at": "2024-01-03T07:00:00"},
        {**CHECK_IN, "occurred_at": "2999-01-01T00:00:00+07:00"},
        {**CHECK_IN, "extra": True},
        {**CHECK_IN, "lat": "6.1"},
        {**CHECK_IN, "method": "telepathy"},
        {"personnel_id": 7},
    ):
        assert error_of(post(f"{SITE}/check-ins", headers=ops, json=bad)) == (
            422,
            "invalid_value",
        ), bad
    assert error_of(
        post(
            f"{SITE}/check-ins",
            headers=ops,
            content=b"{not json",
        )
    ) == (422, "invalid_value")
    assert error_of(
        post(
            f"{SITE}/check-ins",
            headers={**ops, "Idempotency-Key": "k" * 201},
            json=CHECK_IN,
        )
    ) == (422, "invalid_value")


def test_bawaslu_never_sees_covert_guards_or_id_numbers(api: Api) -> None:
    jember(api)
    ops = api.key("ops")
    api.client.post(
        "/api/v1/sites/kpu-kab-oku/shifts",
        headers=ops,
        json={
            "unit_id": "polres-jember",
            "commander_id": "jbr-01",
            "roster": ["jbr-01"],
            "occurred_at": T,
        },
    )
    api.caught_up()
    bawaslu = api.key("bawaslu")
    row = api.client.get("/api/v1/sites/kpu-kab-oku", headers=bawaslu).json()
    assert row["on_duty"]["headcount"] == 1
    assert "roster" not in row["on_duty"] and "commander_id" not in row["on_duty"]
    timeline = api.client.get("/api/v1/timeline?limit=1000", headers=bawaslu).json()
    text = str(timeline)
    assert "NRP-77010001" not in text and "Bripda Satu" in text
    started = [i for i in timeline["items"] if i["type"] == "ShiftStarted"][0]
    assert "roster" not in started["data"] and "commander_id" not in started["data"]
    seen_by_ops = api.client.get("/api/v1/sites/kpu-kab-oku", headers=ops).json()
    assert seen_by_ops["on_duty"]["roster"] == ["jbr-01"]


def test_bawaslu_sees_no_guard_details_in_a_correction_at_a_covert_site(
    api: Api,
) -> None:
    jember(api)
    ops = api.key("ops")
    started = api.client.post(
        "/api/v1/sites/kpu-kab-oku/shifts",
        headers=ops,
        json={
            "unit_id": "polres-jember",
            "commander_id": "jbr-01",
            "roster": ["jbr-01"],
            "occurred_at": T,
        },
    ).json()
    fixed = api.client.post(
        "/api/v1/corrections",
        headers=ops,
        json={
            "event_id": started["event_id"],
            "reason": "komandan salah input",
            "changes": {"commander_id": "jbr-01", "roster": ["jbr-01"]},
        },
    )
    assert fixed.status_code == 201
    api.caught_up()
    bawaslu = api.key("bawaslu")
    items = api.client.get(
        "/api/v1/timeline?site_id=kpu-kab-oku&limit=1000", headers=bawaslu
    ).json()["items"]
    correction = [i for i in items if i["type"] == "EntryCorrected"][0]
    assert correction["site_id"] == "kpu-kab-oku"
    assert "roster" not in str(correction) and "commander_id" not in str(correction)
