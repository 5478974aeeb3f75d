"""Rounds between the chapters: the Pemilu 2024 posts in Probolinggo and Tuban
stand down once the results are in, and patrols look in at the Pilkada sites the
night before and the dawn of voting day."""

from __future__ import annotations

from datetime import timedelta

from application.commands.patrols import EndPatrol, PlanPatrol, RecordVisit, StartPatrol
from application.commands.reference import DecommissionSite
from application.demo.story import Story

PEMILU_SITES = (
    "kpu-kota-probolinggo",
    "gudang-kpu-kota-probolinggo",
    "bawaslu-kota-probolinggo",
    "kpu-kab-tuban",
    "bawaslu-kab-tuban",
    "gudang-kpu-kab-tuban",
)


def stand_down(run: Story) -> None:
    """KPU announced the Pemilu results on 20 March 2024; the posts close."""
    run.begin("stand-down")
    for site in PEMILU_SITES:
        run(
            DecommissionSite(
                site_id=site,
                reason="Tahapan Pemilu 2024 selesai: hasil ditetapkan KPU RI.",
                occurred_at=run.at(2024, 3, 21, 9),
            )
        )


def patrol(
    run: Story,
    chapter: str,
    leader: str,
    unit: str,
    route: list[str],
    start: tuple[int, int, int, int, int],
    name: str,
) -> None:
    """A round that visits its route ten minutes a site, twenty minutes apart."""
    run.begin(chapter)
    begins = run.at(*start)
    planned = run(
        PlanPatrol(
            kind="routine",
            leader_id=leader,
            unit_ids=[unit],
            route=route,
            name=name,
            planned_start=begins,
            occurred_at=begins - timedelta(minutes=30),
        )
    )
    pid = planned["id"]
    run(StartPatrol(patrol_id=pid, occurred_at=begins))
    for i, site in enumerate(route):
        arrived = begins + timedelta(minutes=10 + 20 * i)
        run(
            RecordVisit(
                patrol_id=pid,
                site_id=site,
                arrived_at=arrived,
                departed_at=arrived + timedelta(minutes=10),
                condition="aman",
                people_met=["Petugas jaga"],
                notes="Situasi aman; petugas jaga siaga di pos.",
            )
        )
    run(
        EndPatrol(
            patrol_id=pid,
            summary="Patroli selesai: semua lokasi aman.",
            occurred_at=begins + timedelta(minutes=20 * len(route) + 10),
        )
    )


def night_before(run: Story) -> None:
    patrol(
        run,
        "oku-night-patrol",
        "ibnu-holdon",
        "polres-oku",
        ["bawaslu-kab-oku", "kpu-kab-oku", "gudang-kpu-kab-oku"],
        (2024, 11, 26, 21, 0),
        "Patroli malam menjelang pemungutan suara",
    )


def jember_dawn(run: Story) -> None:
    patrol(
        run,
        "jember-dawn-patrol",
        "istono",
        "polres-jember",
        [
            "gudang-kpu-kab-jember",
            "kpu-kab-jember",
            "bawaslu-kab-jember",
            "alun-alun-jember",
        ],
        (2024, 11, 27, 4, 0),
        "Patroli subuh hari pemungutan suara",
    )
