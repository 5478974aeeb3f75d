"""Field mistakes over HTTP: what cannot be true is refused naming the field, and
nothing of it is written; what the field reports is accepted, and its mistakes are
flagged where people look."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from application.commands.reference import RegisterPersonnel, RegisterSite, RegisterUnit
from application.writes import SYSTEM, Context
from tests.e2e.conftest import Api
from tests.e2e.test_writes_over_http import SITE, T, jember

GPS = {"personnel_id": "oku-02", "method": "gps", "lat": -4.1303, "lon": 104.1664}


def _shift(api: Api, ops: dict[str, str]) -> str:
    started = api.client.post(
        f"{SITE}/shifts",
        headers=ops,
        json={
            "unit_id": "polres-jember",
            "commander_id": "jbr-01",
            "roster": ["jbr-01"],
            "occurred_at": T,
        },
    )
    assert started.status_code == 201, started.text
    shift_id: str = started.json()["id"]
    return shift_id


def _handover(api: Api, ops: dict[str, str], shift: str, **body: Any) -> Any:
    return api.client.post(
        f"{SITE}/shifts/{shift}/handover",
        headers={**ops, "Accept-Language": "id"},
        json={
            "incoming_commander_id": "jbr-01",
            "incoming_roster": ["jbr-01"],
            "occurred_at": "2024-01-03T19:00:00+07:00",
            **body,
        },
    )


def test_a_handover_dated_before_its_shift_or_to_an_outsider_is_refused(
    api: Api, ops: dict[str, str]
) -> None:
    jember(api)
    api.state.jaga.run(
        Context(SYSTEM),
        RegisterPersonnel(
            personnel_id="jbr-02",
            id_number="NRP-77010002",
            name="Bripda Dua",
            unit_id="polres-jember",
        ),
    )
    shift = _shift(api, ops)
    size = api.state.jaga.log.max_position()

    early = _handover(api, ops, shift, occurred_at="2023-12-27T07:00:00+07:00")
    assert early.status_code == 422
    error = early.json()["error"]
    assert error["details"]["field"] == "occurred_at"
    assert error["details"]["started_at"].startswith("2024-01-03T")
    assert "sebelum shift" in error["message"]

    outsider = _handover(api, ops, shift, incoming_roster=["jbr-02"])
    assert outsider.status_code == 422
    assert outsider.json()["error"]["details"]["field"] == "incoming_commander_id"
    assert "daftar regu" in outsider.json()["error"]["message"]

    assert api.state.jaga.log.max_position() == size
    assert _handover(api, ops, shift).status_code == 201


def _field_day(api: Api) -> dict[str, str]:
    """Two sites with coordinates, three guards, a patrol planned to one site."""
    app, ctx = api.state.jaga, Context(SYSTEM)
    app.run(
        ctx,
        RegisterUnit(
            unit_id="polres-oku",
            name="Polres OKU",
            kind="polri",
            province="sumatera-selatan",
            regency="kab-oku",
        ),
    )
    for pid in ("oku-01", "oku-02", "oku-03"):
        app.run(
            ctx,
            RegisterPersonnel(
                personnel_id=pid,
                id_number=f"NRP-{pid}",
                name=f"Bripda {pid}",
                unit_id="polres-oku",
            ),
        )
    for site_id, lat, posture in (
        ("bawaslu-kab-oku", -4.1302, "overt"),
        ("kpu-kab-oku", -4.1266, "covert"),
    ):
        app.run(
            ctx,
            RegisterSite(
                site_id=site_id,
                kind="kpu_office",
                name=site_id,
                province="sumatera-selatan",
                regency="kab-oku",
                lat=lat,
                lon=104.1663,
                posture=posture,
            ),
        )
    return {"ops": api.key("ops"), "bawaslu": api.key("bawaslu")}


def _post(api: Api, key: dict[str, str], path: str, body: dict[str, Any]) -> Any:
    answer = api.client.post(f"/api/v1{path}", headers=key, json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_field_mistakes_are_accepted_and_listed_as_anomalies(api: Api) -> None:
    keys = _field_day(api)
    ops, at = keys["ops"], "2024-11-27T07:00:00+07:00"
    bawaslu, kpu = "/sites/bawaslu-kab-oku", "/sites/kpu-kab-oku"
    # A check-out with no check-in before it; then a check-in and its check-out.
    _post(
        api, ops, f"{bawaslu}/check-outs", {"personnel_id": "oku-01", "occurred_at": at}
    )
    _post(api, ops, f"{bawaslu}/check-ins", {**GPS, "occurred_at": at})
    _post(
        api, ops, f"{bawaslu}/check-outs", {"personnel_id": "oku-02", "occurred_at": at}
    )
    # A GPS check-in at 0, 0, and a phone whose clock is 30 minutes behind.
    slow = (datetime.now(UTC) - timedelta(minutes=30)).isoformat()
    _post(
        api,
        ops,
        f"{kpu}/check-ins",
        {**GPS, "personnel_id": "oku-03", "lat": 0, "lon": 0, "occurred_at": at},
    )
    _post(
        api,
        ops,
        f"{kpu}/check-ins",
        {
            "personnel_id": "oku-01",
            "method": "qr",
            "occurred_at": at,
            "device_time": at,
            "device_synced_at": slow,
        },
    )
    # A patrol planned to Bawaslu's office that visits KPU's.
    patrol = _post(
        api,
        ops,
        "/patrols",
        {
            "kind": "routine",
            "leader_id": "oku-02",
            "unit_ids": ["polres-oku"],
            "route": ["bawaslu-kab-oku"],
            "occurred_at": at,
        },
    )["id"]
    _post(api, ops, f"/patrols/{patrol}/start", {"occurred_at": at})
    for site in ("bawaslu-kab-oku", "kpu-kab-oku"):
        _post(
            api,
            ops,
            f"/patrols/{patrol}/visits",
            {"site_id": site, "arrived_at": at, "condition": "aman"},
        )
    # The same incident posted three times; a fourth names the first.
    crowd = {
        "category": "protest",
        "severity": 2,
        "site_id": "bawaslu-kab-oku",
        "description": "Massa berkumpul",
        "occurred_at": at,
    }
    first = [_post(api, ops, "/incidents", crowd)["id"] for _ in range(3)][0]
    _post(api, ops, "/incidents", {**crowd, "description": f"Lanjutan {first}"})
    api.caught_up()

    def listed(key: dict[str, str], query: str = "") -> list[dict[str, Any]]:
        answer = api.client.get(f"/api/v1/anomalies?limit=100{query}", headers=key)
        assert answer.status_code == 200, answer.text
        items: list[dict[str, Any]] = answer.json()["items"]
        return items

    found = listed(ops)
    codes = sorted(a["code"] for a in found)
    assert codes == [
        "check_out_without_check_in",
        "device_clock_off",
        "gps_far_from_site",
        "probable_duplicate_incident",
        "probable_duplicate_incident",
        "visit_off_route",
    ]
    by_code = {a["code"]: a for a in found}
    assert by_code["check_out_without_check_in"]["personnel_id"] == "oku-01"
    assert by_code["gps_far_from_site"]["metres"] > 400_000
    assert by_code["device_clock_off"]["minutes"] in (-31, -30, -29)
    assert by_code["visit_off_route"]["site_id"] == "kpu-kab-oku"
    duplicates = [a for a in found if a["code"] == "probable_duplicate_incident"]
    assert {a["other_incident_id"] for a in duplicates} <= {first} | {
        a["incident_id"] for a in duplicates
    }
    # Filters: by code, by site, by region.
    assert len(listed(ops, "&code=probable_duplicate_incident")) == 2
    assert {a["site_id"] for a in listed(ops, "&site_id=kpu-kab-oku")} == {
        "kpu-kab-oku"
    }
    assert listed(ops, "&regency=kab-jember") == []
    bad = api.client.get("/api/v1/anomalies?code=typo", headers=ops)
    assert bad.status_code == 422
    # Bawaslu sees the anomaly at the covert site, never who.
    seen = [a for a in listed(keys["bawaslu"]) if a["site_id"] == "kpu-kab-oku"]
    assert seen and all("personnel_id" not in a for a in seen)
    covert = api.client.get("/api/v1/sites/kpu-kab-oku", headers=keys["bawaslu"])
    assert covert.json()["anomalies"]
    assert all("personnel_id" not in a for a in covert.json()["anomalies"])
    # Where people look: the site's board names them among its reasons.
    row = api.client.get("/api/v1/sites/bawaslu-kab-oku", headers=ops).json()
    assert {"code": "field_anomalies", "count": 3} in row["reason_codes"]
    assert [a["code"] for a in row["anomalies"]][-1] == "check_out_without_check_in"
    # And on the timeline entry that shows it.
    entries = api.client.get(
        "/api/v1/timeline?site_id=bawaslu-kab-oku&types=CheckedOut", headers=ops
    ).json()["items"]
    flagged = [e for e in entries if e.get("anomalies")]
    assert [e["data"]["personnel_id"] for e in flagged] == ["oku-01"]
    assert flagged[0]["anomalies"][0]["code"] == "check_out_without_check_in"


def test_a_resent_check_in_with_a_new_device_clock_is_the_same_request(
    api: Api,
) -> None:
    keys = _field_day(api)
    ops = {**keys["ops"], "Idempotency-Key": "phone-7:check-in:0001"}
    body = {
        "personnel_id": "oku-01",
        "method": "qr",
        "occurred_at": "2024-11-27T07:00:00+07:00",
        "device_synced_at": datetime.now(UTC).isoformat(),
    }
    path = "/api/v1/sites/bawaslu-kab-oku/check-ins"
    first = api.client.post(path, headers=ops, json=body)
    size = api.state.jaga.log.max_position()
    # The answer was lost; the phone sends it again a minute later, restamped.
    later = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
    again = api.client.post(path, headers=ops, json={**body, "device_synced_at": later})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert api.state.jaga.log.max_position() == size
    # Anything else changed under the key is another request.
    other = api.client.post(path, headers=ops, json={**body, "method": "nfc"})
    assert other.status_code == 409
