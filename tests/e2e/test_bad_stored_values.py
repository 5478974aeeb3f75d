"""A value the log holds that its field's rules would refuse today (written before
the rules, or by a correction before they applied) is shown as an invalid value:
the board, the statistics and the dashboard answer, and every other site with
them. Both stores."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from application.writes import SYSTEM, Context
from domain.correction import Correction
from tests.e2e.conftest import Api
from tests.e2e.test_writes_over_http import jember

T = "2024-01-03T07:00:00+07:00"
SITE = "/api/v1/sites/kpu-kab-jember"


def record_of(api: Api, event_type: str, **data: Any) -> dict[str, Any]:
    found = [
        r
        for r in api.state.jaga.records(limit=10_000)
        if r["type"] == event_type
        and all(r["data"].get(k) == v for k, v in data.items())
    ]
    return found[-1]


def store_correction(api: Api, record: dict[str, Any], **changes: Any) -> None:
    """A correction written the way an older version wrote it: straight to the
    store, past the rules the command now applies."""
    app = api.state.jaga
    fix = Correction.record(
        record["event_id"],
        record["type"],
        record["aggregate_id"],
        record["data"] | {"occurred_at": record["occurred_at"]},
        "older value",
        changes,
        datetime.now(UTC),
    )
    write = app.prepare(Context(SYSTEM), str(fix.id), [fix], None)
    [result] = app.store_writes([write])
    assert result.status == "stored"


BAD = {
    "timezone": {"timezone": "XYZ"},
    "required_guards": {"required_guards": "lots"},
    "lat": {"lat": "north", "lon": 1e300},
    "kind": {"kind": "castle", "posture": "hidden"},
    "name": {"name": 7, "address": ["x"]},
}


@pytest.mark.parametrize("bad", sorted(BAD))
def test_a_site_holding_a_bad_value_is_shown_as_invalid_and_the_rest_stands(
    api: Api, bad: str
) -> None:
    jember(api)
    ops = api.key("ops")
    registered = record_of(api, "SiteRegistered", site_id="kpu-kab-jember")
    store_correction(api, registered, **BAD[bad])
    checked = api.client.post(
        "/api/v1/sites/kpu-kab-oku/check-ins",
        headers=ops,
        json={"personnel_id": "jbr-01", "method": "qr", "occurred_at": T},
    )
    assert checked.status_code == 201, checked.text
    api.caught_up()
    sites = api.client.get("/api/v1/sites", headers=ops)
    assert sites.status_code == 200, sites.text
    rows = {r["site_id"]: r for r in sites.json()["items"]}
    assert rows["kpu-kab-oku"]["last_check_in_at"] is not None
    assert set(rows) == {"kpu-kab-jember", "kpu-kab-oku"}
    one = api.client.get(SITE, headers=ops)
    assert one.status_code == 200, one.text
    named = {"lat": "lat", "kind": "kind", "name": "name"}.get(bad, bad)
    assert named in one.json()["invalid_values"]
    assert f"invalid value: {named}" in one.json()["reasons"]
    assert rows["kpu-kab-oku"]["invalid_values"] == []
    if bad == "kind":
        # A posture no one recognises hides the guards as a covert one does.
        assert one.json()["posture"] == "covert"
        assert "kpu-kab-jember" in api.state.read_model.covert_site_ids()
    for url in ("/api/v1/stats", "/api/v1/sites?format=csv"):
        answer = api.client.get(url, headers=ops)
        assert answer.status_code == 200, (url, answer.text)
    secret = ops["Authorization"].removeprefix("Bearer ")
    api.client.post("/sign-in", data={"key": secret}, follow_redirects=False)
    for url in ("/", "/sites/kpu-kab-jember", "/sites/kpu-kab-oku", "/peta"):
        page = api.client.get(url)
        assert page.status_code == 200, (url, page.text[-2000:])
    assert f"nilai tidak sah: {named}" in api.client.get("/").text


@pytest.mark.parametrize(
    "event_type, changes",
    [
        ("AlertLevelChanged", {"level": "purple"}),
        ("CheckedIn", {"occurred_at": "9999-12-31T23:59:59+00:00"}),
        ("CheckedIn", {"occurred_at": "yesterday"}),
        ("IncidentReported", {"severity": "lots"}),
        ("IncidentReported", {"occurred_at": "0001-01-01T00:00:00+00:00"}),
        ("GuardRequirementSet", {"required_guards": -1e300}),
    ],
)
def test_an_entry_holding_a_bad_value_leaves_every_read_answering(
    api: Api, event_type: str, changes: dict[str, Any]
) -> None:
    jember(api)
    ops = api.key("ops")
    for path, body in (
        ("/alert-level", {"level": "siaga", "reason": "x", "occurred_at": T}),
        ("/check-ins", {"personnel_id": "jbr-01", "method": "qr", "occurred_at": T}),
        ("/guard-requirement", {"required_guards": 3}),
    ):
        answer = api.client.post(f"{SITE}{path}", headers=ops, json=body)
        assert answer.status_code in (200, 201), (path, answer.text)
    reported = api.client.post(
        "/api/v1/incidents",
        headers=ops,
        json={
            "category": "intimidation",
            "severity": 2,
            "site_id": "kpu-kab-jember",
            "description": "x",
            "occurred_at": T,
        },
    )
    assert reported.status_code == 201, reported.text
    store_correction(api, record_of(api, event_type), **changes)
    api.client.post(
        "/api/v1/sites/kpu-kab-oku/check-ins",
        headers=ops,
        json={"personnel_id": "jbr-01", "method": "qr", "occurred_at": T},
    )
    api.caught_up()
    for url in (
        "/api/v1/sites",
        SITE,
        "/api/v1/stats",
        "/api/v1/incidents",
        "/api/v1/timeline?site_id=kpu-kab-jember",
    ):
        answer = api.client.get(url, headers=ops)
        assert answer.status_code == 200, (url, answer.text)
    rows = api.client.get("/api/v1/sites", headers=ops).json()["items"]
    assert {r["site_id"]: r for r in rows}["kpu-kab-oku"]["last_check_in_at"]
    secret = ops["Authorization"].removeprefix("Bearer ")
    api.client.post("/sign-in", data={"key": secret}, follow_redirects=False)
    for url in ("/", "/sites/kpu-kab-jember", "/incidents", "/peta"):
        page = api.client.get(url)
        assert page.status_code == 200, (url, page.text[-2000:])
