"""Voting day in Ogan Komering Ulu (Pilkada, 27 November 2024): the assignment
order the covert KPU guard falls short of for two hours, a crowd at Bawaslu's office
answered with backup through every step of an incident, the same crowd reported
twice, a corrected time, a patrol that looks in at the warehouse off its route, a
GPS check-in far from its site, a check-out with no check-in, and a drone over KPU's
office still open at the end of the day."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from application.commands.corrections import CorrectEntry
from application.commands.duty import (
    CheckIn,
    CheckOut,
    HandOver,
    RecordLogisticsMovement,
)
from application.commands.incidents import (
    AcknowledgeIncident,
    AddIncidentNote,
    CloseIncident,
    EscalateIncident,
    RecordBackupArrival,
    ReopenIncident,
    ReportIncident,
    RequestBackup,
    ResolveIncident,
)
from application.commands.patrols import EndPatrol, PlanPatrol, RecordVisit, StartPatrol
from application.commands.reference import IssueAssignment
from application.demo import rounds
from application.demo.oku import oku_members
from application.demo.story import ON_TIME, Story

DAY = (2024, 11, 27)
KPU, BAWASLU, GUDANG = "kpu-kab-oku", "bawaslu-kab-oku", "gudang-kpu-kab-oku"


def voting_day(run: Story, on_duty: dict[str, str]) -> None:
    run.begin("oku-voting-day")
    run(
        IssueAssignment(
            unit_id="polres-oku",
            site_id=KPU,
            headcount=10,
            starts_at=run.at(2024, 11, 26, 19),
            ends_at=run.at(2024, 11, 28, 19),
            checkin_interval_minutes=120,
            reference="Sprin pengamanan tertutup Kantor KPU OKU hari pemungutan suara",
            occurred_at=run.at(2024, 11, 26, 12),
        )
    )
    rounds.night_before(run)
    rounds.jember_dawn(run)
    _rounds_of_check_ins(run)
    _morning(run, on_duty)
    crowd = _crowd_at_bawaslu(run)
    patrol = _patrol_out(run)
    drone = run(
        ReportIncident(
            category="suspicious_activity",
            severity=4,
            site_id=KPU,
            description="Drone tak dikenal terbang rendah di atas kantor KPU saat "
            "rekapitulasi; pemiliknya belum ditemukan.",
            # A covert post: the report names no guard.
            reporter="Petugas jaga tertutup",
            occurred_at=run.at(*DAY, 14, 40),
        )
    )
    run(
        AcknowledgeIncident(
            incident_id=drone["id"],
            by="IPTU Ibnu Holdon",
            occurred_at=run.at(*DAY, 14, 52),
        )
    )
    _patrol_back(run, patrol)
    run(CloseIncident(incident_id=crowd["id"], occurred_at=run.at(*DAY, 16)))
    run(
        CorrectEntry(
            event_id=crowd["event_id"],
            reason="Menurut saksi, massa mulai berkumpul pukul 10.05 WIB.",
            changes={"occurred_at": run.at(*DAY, 10, 5).isoformat()},
            occurred_at=run.at(*DAY, 16, 30),
        )
    )
    run(
        EndPatrol(
            patrol_id=patrol,
            summary="Patroli hari pemungutan suara selesai; satu temuan drone.",
            occurred_at=run.at(*DAY, 16, 20),
        ),
        # Sent with the last visit when the patrol came back into signal.
        late=timedelta(hours=2, minutes=45),
    )


def _morning(run: Story, on_duty: dict[str, str]) -> None:
    """Ballots leave the warehouse; the day teams take over, KPU's short-handed."""
    run(
        RecordLogisticsMovement(
            site_id=GUDANG,
            direction="out",
            items="Kotak suara dan surat suara cadangan untuk PPK Baturaja Timur",
            from_location="Gudang Logistik KPU OKU",
            to_location="Kantor PPK Baturaja Timur",
            escort_ids=["oku-43", "oku-44"],
            seal_numbers=["KPU-OKU-0102"],
            occurred_at=run.at(*DAY, 5, 30),
        )
    )
    run(
        HandOver(
            site_id=BAWASLU,
            shift_id=on_duty[BAWASLU],
            incoming_commander_id="oku-01",
            incoming_roster=oku_members(1, 10),
            observations="Malam aman; apel pagi hari pemungutan suara.",
            occurred_at=run.at(*DAY, 6, 30),
        )
    )
    short = run(
        HandOver(
            site_id=KPU,
            shift_id=on_duty[KPU],
            incoming_commander_id="oku-21",
            incoming_roster=oku_members(21, 6),
            observations="Empat anggota regu pagi masih apel di Polres.",
            occurred_at=run.at(*DAY, 6, 30),
        )
    )
    for member in oku_members(1, 10):
        far = member == "oku-03"  # a phone whose GPS put it 6 km south
        run(
            CheckIn(
                site_id=BAWASLU,
                personnel_id=member,
                method="gps" if far else "qr",
                lat=-4.1850 if far else None,
                lon=104.1663 if far else None,
                occurred_at=run.at(*DAY, 6, 40),
            )
        )
    for member in oku_members(21, 6):
        run(
            CheckIn(
                site_id=KPU,
                personnel_id=member,
                method="manual",
                occurred_at=run.at(*DAY, 6, 45),
            )
        )
    run(CheckOut(site_id=GUDANG, personnel_id="oku-35", occurred_at=run.at(*DAY, 7)))
    run(
        HandOver(
            site_id=KPU,
            shift_id=short["id"],
            incoming_commander_id="oku-21",
            incoming_roster=oku_members(21, 10),
            observations="Regu lengkap sepuluh orang.",
            occurred_at=run.at(*DAY, 8, 45),
        )
    )
    for member in oku_members(27, 4):
        run(
            CheckIn(
                site_id=KPU,
                personnel_id=member,
                method="manual",
                occurred_at=run.at(*DAY, 8, 50),
            )
        )


def _rounds_of_check_ins(run: Story) -> None:
    """Each post's commander checks in every hour through the day (the order's two
    hours, halved on voting day); recorded on time among the other steps."""
    for site, commander, first in (
        (BAWASLU, "oku-01", run.at(*DAY, 7, 35)),
        (KPU, "oku-21", run.at(*DAY, 9, 45)),
        (GUDANG, "oku-41", run.at(*DAY, 7, 55)),
    ):
        for hour in range(12):
            run(
                CheckIn(
                    site_id=site,
                    personnel_id=commander,
                    method="manual" if site == KPU else "qr",
                    occurred_at=first + timedelta(hours=hour),
                ),
                offline=ON_TIME,
            )


def _crowd_at_bawaslu(run: Story) -> dict[str, Any]:
    """A crowd at Bawaslu's office: reported, reported again, acknowledged, backup
    asked for and come, escalated, resolved, closed, reopened, resolved (closed in
    the afternoon)."""
    crowd = run(
        ReportIncident(
            category="provocation",
            severity=3,
            site_id=BAWASLU,
            description="Massa pendukung salah satu paslon berkumpul dan berorasi di "
            "depan kantor Bawaslu menuntut penghitungan ulang.",
            reporter="Anggota jaga 1 polres-oku",
            occurred_at=run.at(*DAY, 10, 15),
        )
    )
    again = run(
        ReportIncident(
            category="provocation",
            severity=3,
            site_id=BAWASLU,
            description="Massa berorasi di depan kantor Bawaslu.",
            reporter="Anggota jaga 4 polres-oku",
            occurred_at=run.at(*DAY, 10, 17),
        )
    )
    iid = crowd["id"]
    steps = [
        AcknowledgeIncident(
            incident_id=iid, by="IPTU Ibnu Holdon", occurred_at=run.at(*DAY, 10, 18)
        ),
        RequestBackup(
            incident_id=iid,
            units=["polres-oku"],
            notes="Satu pleton Dalmas diminta ke kantor Bawaslu.",
            occurred_at=run.at(*DAY, 10, 20),
        ),
        ResolveIncident(
            incident_id=again["id"],
            resolution="Laporan ganda: kejadian yang sama dengan laporan pukul 10.15.",
            occurred_at=run.at(*DAY, 10, 25),
        ),
        EscalateIncident(
            incident_id=iid,
            severity=4,
            reason="Massa bertambah menjadi sekitar 200 orang.",
            occurred_at=run.at(*DAY, 10, 30),
        ),
        RecordBackupArrival(
            incident_id=iid, unit_id="polres-oku", occurred_at=run.at(*DAY, 10, 41)
        ),
        AddIncidentNote(
            incident_id=iid,
            text="Perwakilan massa diterima komisioner Bawaslu untuk audiensi.",
            occurred_at=run.at(*DAY, 11, 10),
        ),
        ResolveIncident(
            incident_id=iid,
            resolution="Massa membubarkan diri dengan tertib setelah audiensi.",
            occurred_at=run.at(*DAY, 11, 50),
        ),
        CloseIncident(incident_id=iid, occurred_at=run.at(*DAY, 12, 30)),
        ReopenIncident(
            incident_id=iid,
            reason="Sebagian massa kembali ke depan kantor Bawaslu.",
            occurred_at=run.at(*DAY, 13, 5),
        ),
        ResolveIncident(
            incident_id=iid,
            resolution="Massa dihalau dengan persuasif; situasi kondusif.",
            occurred_at=run.at(*DAY, 13, 40),
        ),
    ]
    for step in steps:
        run(step)
    return crowd


def _patrol_out(run: Story) -> str:
    """Polres OKU's patrol of both offices sets out; returns its id."""
    patrol = run(
        PlanPatrol(
            kind="routine",
            leader_id="ibnu-holdon",
            unit_ids=["polres-oku"],
            route=[BAWASLU, KPU],
            name="Patroli pengamanan hari pemungutan suara",
            planned_start=run.at(*DAY, 14),
            occurred_at=run.at(*DAY, 13, 50),
        )
    )
    pid: str = patrol["id"]
    run(StartPatrol(patrol_id=pid, occurred_at=run.at(*DAY, 14)))
    run(
        RecordVisit(
            patrol_id=pid,
            site_id=BAWASLU,
            arrived_at=run.at(*DAY, 14, 10),
            departed_at=run.at(*DAY, 14, 20),
            condition="aman",
            people_met=["Petugas jaga"],
            notes="Sisa massa sudah bubar; situasi aman.",
        )
    )
    return pid


def _patrol_back(run: Story, pid: str) -> None:
    """It looks in at the warehouse, off its route; its visit to KPU is sent hours
    later from a dead zone."""
    run(
        RecordVisit(
            patrol_id=pid,
            site_id=GUDANG,
            arrived_at=run.at(*DAY, 14, 55),
            departed_at=run.at(*DAY, 15, 5),
            condition="aman",
            people_met=["Petugas jaga gudang"],
            notes="Singgah di gudang: segel pintu utuh.",
        )
    )
    run(
        RecordVisit(
            patrol_id=pid,
            site_id=KPU,
            arrived_at=run.at(*DAY, 15, 30),
            departed_at=run.at(*DAY, 15, 50),
            condition="waspada",
            people_met=["Komandan regu jaga tertutup"],
            notes="Drone belum ditemukan; penjagaan tertutup ditambah di belakang.",
        ),
        offline=timedelta(hours=3),
    )
