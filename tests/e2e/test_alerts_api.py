"""Alerts over HTTP on both stores: a red site's alert is listed within the key's
regions, acknowledged through its command, and in the site's timeline; webhook
subscriptions are ops' to make, with bad input refused naming the field."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from fastapi.testclient import TestClient

from infrastructure.settings import Settings
from interfaces.http.app import create_app
from tests.e2e.conftest import Api


@pytest.fixture
def live(settings: Settings) -> Iterator[Api]:
    with TestClient(
        create_app(replace(settings, alerts=True)), raise_server_exceptions=False
    ) as client:
        yield Api(client)


def register(api: Api, ops: dict[str, str], site_id: str, province: str) -> None:
    answer = api.client.post(
        "/api/v1/sites",
        json={
            "site_id": site_id,
            "kind": "logistics_warehouse",
            "name": f"Gudang {site_id}",
            "province": province,
            "regency": "kota",
            "required_guards": 4,
        },
        headers=ops,
    )
    assert answer.status_code == 201, answer.text


def wait_for_alert(api: Api, key: dict[str, str], site_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = api.client.get(f"/api/v1/alerts?site_id={site_id}", headers=key)
        assert found.status_code == 200, found.text
        if found.json()["items"]:
            return found.json()["items"][0]  # type: ignore[no-any-return]
        time.sleep(0.2)
    raise AssertionError("no alert")


def test_a_red_site_alert_is_listed_acknowledged_and_in_the_timeline(live: Api) -> None:
    ops = live.key("ops")
    register(live, ops, "gudang-jatim", "jawa-timur")
    register(live, ops, "gudang-bali", "bali")
    jatim = live.key("field", "jawa-timur")
    alert = wait_for_alert(live, jatim, "gudang-jatim")
    assert (alert["rule"], alert["state"]) == ("site_red", "open")
    assert alert["reasons"] == [{"code": "understaffed", "headcount": 0, "required": 4}]
    wait_for_alert(live, ops, "gudang-bali")
    mine = live.client.get("/api/v1/alerts", headers=jatim).json()["items"]
    assert {a["site_id"] for a in mine} == {"gudang-jatim"}

    done = live.client.post(
        f"/api/v1/alerts/{alert['alert_id']}/acknowledge",
        json={"by": "Piket Polda", "note": "Regu cadangan dikirim"},
        headers=jatim,
    )
    assert done.status_code == 201, done.text
    again = live.client.post(
        f"/api/v1/alerts/{alert['alert_id']}/acknowledge", json={}, headers=jatim
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "alert_already_acknowledged"
    theirs = live.client.post(
        f"/api/v1/alerts/{alert['alert_id']}/acknowledge",
        json={},
        headers=live.key("field", "bali"),
    )
    assert theirs.status_code == 403
    raised = live.client.post(
        "/api/v1/alerts",
        json={
            "rule": "site_red",
            "subject": "site:gudang-jatim",
            "episode": 9,
            "reasons": [],
            "position": 1,
        },
        headers=ops,
    )
    assert raised.status_code == 403  # only Jaga raises alerts

    position = done.json()["position"]
    timeline = live.client.get(
        f"/api/v1/timeline?site_id=gudang-jatim&wait_for_position={position}",
        headers=ops,
    ).json()["items"]
    [ack] = [e for e in timeline if e["type"] == "AlertAcknowledged"]
    assert ack["data"]["note"] == "Regu cadangan dikirim"
    shown = live.client.get(
        "/api/v1/alerts?site_id=gudang-jatim&state=acknowledged", headers=ops
    ).json()["items"]
    assert shown[0]["acknowledged"]["by"] == "Piket Polda"


def test_subscriptions_are_ops_work_and_bad_input_names_the_field(api: Api) -> None:
    ops = api.key("ops")
    made = api.client.post(
        "/api/v1/alerts/subscriptions",
        json={"url": "https://posko.example/jaga", "province": "jawa-timur"},
        headers=ops,
    )
    assert made.status_code == 201, made.text
    sub = made.json()
    assert len(sub["secret"]) >= 40
    listed = api.client.get("/api/v1/alerts/subscriptions", headers=ops).json()
    assert [s["subscription_id"] for s in listed["items"]] == [sub["subscription_id"]]
    assert "secret" not in listed["items"][0]
    for body, field in (
        ({"url": "ftp://posko.example/x"}, "url"),
        ({"url": "https://posko.example/x", "rules": ["nope"]}, "rules[0]"),
        ({"url": "https://posko.example/x", "regency": "kota"}, "province"),
        ({"url": "https://posko.example/x", "province": "Jawa Timur"}, "province"),
    ):
        bad = api.client.post("/api/v1/alerts/subscriptions", json=body, headers=ops)
        assert bad.status_code == 422, bad.text
        assert field in str(bad.json()["error"]["details"]), bad.text
    field_key = api.key("field")
    assert (
        api.client.get("/api/v1/alerts/subscriptions", headers=field_key).status_code
        == 403
    )
    bali = api.key("ops", "bali")
    outside = api.client.post(
        "/api/v1/alerts/subscriptions",
        json={"url": "https://posko.example/jaga", "province": "jawa-timur"},
        headers=bali,
    )
    assert outside.status_code == 403
    assert api.client.get("/api/v1/alerts/subscriptions", headers=bali).json() == {
        "items": []
    }
    missing = api.client.post("/api/v1/alerts/subscriptions/nope/resume", headers=ops)
    assert missing.status_code == 404
    log = api.client.get("/api/v1/alerts/deliveries", headers=ops)
    assert log.status_code == 200 and log.json() == {"items": []}


def test_only_the_leading_server_judges_alerts(settings: Settings) -> None:
    on = replace(settings, alerts=True)
    with (
        TestClient(create_app(on)) as first,
        TestClient(create_app(on)) as second,
    ):
        deadline = time.monotonic() + 10
        states = [first.app.state, second.app.state]  # type: ignore[attr-defined]
        while time.monotonic() < deadline:
            running = [s.alerts.evaluator._thread is not None for s in states]
            leading = [s.leadership.leading for s in states]
            if any(leading) and running == leading:  # duties begin after the lock
                break
            time.sleep(0.1)
        assert running == leading and sorted(running) == [False, True]
