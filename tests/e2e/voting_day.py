"""Voting day in Jember (Pilkada, 27 November 2024) over HTTP, after the demo: a
provocation answered with backup, damaged logistics, a handover, a neutrality
concern that Bawaslu reviews, and a correction — what the reports are about."""

from __future__ import annotations

from typing import Any

from application.demo import load_demo
from tests.e2e.conftest import Api

DAY = "2024-11-27"


def t(clock: str, day: str = DAY) -> str:
    return f"{day}T{clock}:00+07:00"


def post(
    api: Api, key: dict[str, str], path: str, body: dict[str, Any]
) -> dict[str, Any]:
    answer = api.client.post(f"/api/v1{path}", headers=key, json=body)
    assert answer.status_code == 201, (path, answer.text)
    result: dict[str, Any] = answer.json()
    return result


def voting_day(api: Api) -> dict[str, str]:
    """Loads the demo and the day; returns the ids the tests look for."""
    load_demo(api.state.jaga)
    ops, bawaslu = api.key("ops"), api.key("bawaslu")
    site = "/sites/kpu-kab-jember"
    api.caught_up()
    night = api.client.get(f"/api/v1{site}", headers=ops).json()["on_duty"]
    shift = post(
        api,
        ops,
        f"{site}/shifts/{night['shift_id']}/handover",
        {
            "incoming_commander_id": "jbr-01",
            "incoming_roster": ["jbr-01", "jbr-02", "jbr-03"],
            "observations": "Apel pagi hari pemungutan suara.",
            "occurred_at": t("06:00"),
        },
    )
    for member in ("jbr-01", "jbr-02", "jbr-03"):
        post(
            api,
            ops,
            f"{site}/check-ins",
            {"personnel_id": member, "method": "qr", "occurred_at": t("06:05")},
        )
    queue = post(
        api,
        ops,
        "/incidents",
        {
            "category": "provocation",
            "severity": 2,
            "site_id": "kpu-kab-jember",
            "description": "Orang tak dikenal memprovokasi antrean warga di depan KPU.",
            "reporter": "Bripda Anggota jaga 2",
            "occurred_at": t("09:30"),
        },
    )
    qid = f"/incidents/{queue['id']}"
    post(
        api,
        ops,
        f"{qid}/acknowledge",
        {"occurred_at": t("09:34"), "by": "Kompol Istono"},
    )
    post(
        api,
        ops,
        f"{qid}/backup-requests",
        {"occurred_at": t("09:36"), "units": ["kodim-0824-jember"]},
    )
    post(
        api,
        ops,
        f"{qid}/backup-arrivals",
        {"occurred_at": t("09:52"), "unit_id": "kodim-0824-jember"},
    )
    post(
        api,
        ops,
        f"{qid}/notes",
        {
            "text": "Dua orang dibawa ke Polsek Kaliwates untuk klarifikasi.",
            "occurred_at": t("10:05"),
        },
    )
    post(
        api,
        ops,
        f"{qid}/resolve",
        {"resolution": "Kondusif kembali.", "occurred_at": t("10:40")},
    )
    post(
        api,
        ops,
        "/sites/gudang-kpu-kab-jember/seals",
        {
            "seal_numbers": ["KPU-JBR-0003"],
            "status": "broken",
            "occurred_at": t("13:05"),
        },
    )
    damage = post(
        api,
        ops,
        "/incidents",
        {
            "category": "logistics_damage",
            "severity": 3,
            "site_id": "gudang-kpu-kab-jember",
            "description": "Segel pintu samping gudang rusak; kotak suara diperiksa.",
            "occurred_at": t("13:10"),
        },
    )
    post(
        api, ops, f"/incidents/{damage['id']}/acknowledge", {"occurred_at": t("13:12")}
    )
    post(
        api,
        ops,
        f"{site}/shifts/{shift['id']}/handover",
        {
            "incoming_commander_id": "jbr-07",
            "incoming_roster": ["jbr-07", "jbr-08", "jbr-09"],
            "observations": "Pemungutan suara selesai; situasi aman.",
            "occurred_at": t("19:00"),
        },
    )
    concern = post(
        api,
        ops,
        "/neutrality/concerns",
        {
            "reported_personnel_id": "jbr-09",
            "place": "Posko relawan, Kaliwates",
            "description": "Diduga hadir di konsolidasi relawan berseragam dinas.",
            "reporter": "Panwascam Kaliwates",
            "occurred_at": t("20:00", "2024-11-25"),
        },
    )
    post(
        api,
        bawaslu,
        f"/neutrality/concerns/{concern['id']}/reviews",
        {
            "finding": "insufficient_evidence",
            "recommendation": "Diteruskan untuk pembinaan.",
            "reference": "001/Reg/LP/PB/Kab/16.08/XI/2024",
            "forwarded_to": "propam",
            "occurred_at": t("10:00", "2024-11-29"),
        },
    )
    post(
        api,
        ops,
        "/corrections",
        {
            "event_id": queue["event_id"],
            "reason": "Menurut saksi kejadian pukul 09.25 WIB.",
            "changes": {"occurred_at": t("09:25")},
        },
    )
    api.caught_up()
    return {"queue": queue["id"], "damage": damage["id"], "concern": concern["id"]}
