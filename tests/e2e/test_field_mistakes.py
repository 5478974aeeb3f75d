"""Field mistakes over HTTP: what cannot be true is refused naming the field, and
nothing of it is written."""

from __future__ import annotations

from typing import Any

from application.commands.reference import RegisterPersonnel
from application.writes import SYSTEM, Context
from tests.e2e.conftest import Api
from tests.e2e.test_writes_over_http import SITE, T, jember


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
