"""Ogan Komering Ulu before voting day: the overt guard at Bawaslu's office and the
covert one at KPU's, the warehouse, the quiet period, and a neutrality concern
against an officer that Bawaslu reviews after its deadline."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from application.commands.duty import CheckIn, HandOver, RecordSeals, StartShift
from application.commands.neutrality import ReportConcern, ReviewConcern
from application.commands.reference import ChangeAlertLevel
from application.demo.story import Story
from application.writes import Actor

BAWASLU = Actor(id="demo-bawaslu", name="Bawaslu OKU (demo)", role="bawaslu")


def oku_members(first: int, count: int) -> list[str]:
    return [f"oku-{i:02d}" for i in range(first, first + count)]


def team_on_duty(
    run: Story,
    site: str,
    unit: str,
    team: list[str],
    start: datetime,
    checked_in: datetime,
    method: str,
) -> dict[str, Any]:
    """A shift started by the team's first member, then each member's check-in."""
    shift = run(
        StartShift(
            site_id=site,
            unit_id=unit,
            commander_id=team[0],
            roster=team,
            occurred_at=start,
        )
    )
    for member in team:
        run(
            CheckIn(
                site_id=site, personnel_id=member, method=method, occurred_at=checked_in
            )
        )
    return shift


def concern_reported(run: Story) -> dict[str, Any]:
    """A Panwascam reports an officer seen in a candidate's photo with its badge;
    the report is registered the next morning."""
    run.begin("oku-concern")
    return run(
        ReportConcern(
            reported_personnel_id="oku-15",
            place="Posko pemenangan paslon, Baturaja Timur",
            description="Anggota Polres OKU diduga berfoto bersama pasangan calon "
            "dengan gestur dukungan; foto beredar di media sosial.",
            reporter="Panwascam Baturaja Timur",
            evidence_refs=["Tangkapan layar unggahan media sosial 12/11/2024"],
            occurred_at=run.at(2024, 11, 12, 20),
        ),
        late=timedelta(hours=13),
    )


def oku_guard(run: Story) -> dict[str, str]:
    """Polres OKU guards both offices and the warehouse (23 Nov 2024 on); the
    quiet period raises KPU's alert level. Returns the shifts on duty."""
    run.begin("oku")
    day = (2024, 11, 23)
    shifts = {}
    for site, first in (("bawaslu-kab-oku", 1), ("kpu-kab-oku", 21)):
        method = "manual" if site == "kpu-kab-oku" else "qr"
        shifts[site] = team_on_duty(
            run,
            site,
            "polres-oku",
            oku_members(first, 10),
            run.at(*day, 7),
            run.at(*day, 7, 5),
            method,
        )
    shifts["gudang-kpu-kab-oku"] = team_on_duty(
        run,
        "gudang-kpu-kab-oku",
        "polres-oku",
        oku_members(41, 4),
        run.at(*day, 7, 30),
        run.at(*day, 7, 35),
        "qr",
    )
    run(
        RecordSeals(
            site_id="gudang-kpu-kab-oku",
            seal_numbers=["KPU-OKU-0101", "KPU-OKU-0102"],
            status="intact",
            notes="Segel pintu gudang diperiksa saat serah terima logistik.",
            occurred_at=run.at(*day, 8),
        )
    )
    on_duty = {"gudang-kpu-kab-oku": shifts["gudang-kpu-kab-oku"]["id"]}
    for site, first in (("bawaslu-kab-oku", 11), ("kpu-kab-oku", 31)):
        on_duty[site] = run(
            HandOver(
                site_id=site,
                shift_id=shifts[site]["id"],
                incoming_commander_id=f"oku-{first:02d}",
                incoming_roster=oku_members(first, 10),
                observations="Aman, sejuk dan damai.",
                occurred_at=run.at(*day, 19),
            )
        )["id"]
    run(
        ChangeAlertLevel(
            site_id="kpu-kab-oku",
            level="siaga",
            reason="Masa tenang Pilkada 2024 dimulai; penjagaan 24 jam ditingkatkan.",
            occurred_at=run.at(2024, 11, 24, 0, 5),
        )
    )
    return on_duty


def concern_reviewed(run: Story, concern_id: str) -> None:
    """Bawaslu decides two weeks after the report: past its 7-day deadline."""
    run.begin("oku-review")
    run(
        ReviewConcern(
            concern_id=concern_id,
            finding="violation",
            recommendation="Diteruskan ke Propam Polda Sumatera Selatan untuk "
            "pemeriksaan kode etik.",
            reference="003/Reg/LP/PW/Kab/06.03/XI/2024",
            forwarded_to="propam",
            occurred_at=run.at(2024, 11, 26, 10),
        ),
        actor=BAWASLU,
    )
