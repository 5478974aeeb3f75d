"""The campaign chapters of the demo, from the seed reports: Probolinggo's and
Tuban's patrols, Jember's 24-hour guard at the KPU office and its warehouse with
their assignment orders, seals and the ballots leaving for the districts, and
Jember's joint patrol."""

from __future__ import annotations

from datetime import timedelta

from application.commands.duty import (
    CheckIn,
    CheckOut,
    HandOver,
    RecordLogisticsMovement,
    RecordSeals,
    StartShift,
)
from application.commands.neutrality import RecordPledge
from application.commands.patrols import EndPatrol, PlanPatrol, RecordVisit, StartPatrol
from application.commands.reference import IssueAssignment
from application.demo.story import Story


def probolinggo(run: Story) -> None:
    """Kodim 0820 and Polres Probolinggo Kota on their joint patrol (16 Nov 2023)."""
    run.begin("probolinggo")
    day = (2023, 11, 16)
    shift = run(
        StartShift(
            site_id="kpu-kota-probolinggo",
            unit_id="polres-probolinggo-kota",
            commander_id="pbl-01",
            roster=["pbl-01", "pbl-02"],
            occurred_at=run.at(*day, 7),
        )
    )
    run(
        StartShift(
            site_id="bawaslu-kota-probolinggo",
            unit_id="polres-probolinggo-kota",
            commander_id="pbl-03",
            roster=["pbl-03", "pbl-04"],
            occurred_at=run.at(*day, 7),
        )
    )
    for pid, site in (
        ("pbl-01", "kpu-kota-probolinggo"),
        ("pbl-02", "kpu-kota-probolinggo"),
        ("pbl-03", "bawaslu-kota-probolinggo"),
        ("pbl-04", "bawaslu-kota-probolinggo"),
    ):
        run(
            CheckIn(
                site_id=site,
                personnel_id=pid,
                method="qr",
                occurred_at=run.at(*day, 7, 5),
            )
        )
    patrol = run(
        PlanPatrol(
            kind="joint",
            leader_id="heri-budiasto",
            unit_ids=["kodim-0820-probolinggo", "polres-probolinggo-kota"],
            route=[
                "kpu-kota-probolinggo",
                "gudang-kpu-kota-probolinggo",
                "bawaslu-kota-probolinggo",
            ],
            name="Patroli gabungan kantor penyelenggara Pemilu",
            planned_start=run.at(*day, 9),
            occurred_at=run.at(*day, 8),
        )
    )
    pid = patrol["id"]
    run(StartPatrol(patrol_id=pid, occurred_at=run.at(*day, 9)))
    notes = (
        "Mengecek personel pengamanan yang sedang melaksanakan penjagaan; "
        "penyelenggara diminta tidak segan menyampaikan informasi kepada petugas "
        "pengamanan."
    )
    for i, site in enumerate(
        (
            "kpu-kota-probolinggo",
            "gudang-kpu-kota-probolinggo",
            "bawaslu-kota-probolinggo",
        )
    ):
        arrived = run.at(*day, 9, 15) + timedelta(minutes=40 * i)
        run(
            RecordVisit(
                patrol_id=pid,
                site_id=site,
                arrived_at=arrived,
                departed_at=arrived + timedelta(minutes=10),
                condition="aman",
                people_met=["Anggota KPU dan Bawaslu Kota Probolinggo"],
                notes=notes,
            )
        )
    run(
        EndPatrol(
            patrol_id=pid,
            occurred_at=run.at(*day, 11, 30),
            summary="Patroli gabungan Kodim 0820 dan Polres Probolinggo Kota "
            "bersama KPU "
            "dan Bawaslu: situasi aman dan terkendali.",
        )
    )
    run(
        HandOver(
            site_id="kpu-kota-probolinggo",
            shift_id=shift["id"],
            incoming_commander_id="pbl-02",
            incoming_roster=["pbl-02"],
            observations="Situasi aman, tidak ada kejadian.",
            seals_intact=None,
            occurred_at=run.at(*day, 19),
        )
    )


def tuban(run: Story) -> None:
    """Satsamapta Polres Tuban's dialogic patrol as the campaign began."""
    run.begin("tuban")
    day = (2023, 11, 29)
    for site, cmd in (("kpu-kab-tuban", "tbn-01"), ("bawaslu-kab-tuban", "tbn-03")):
        run(
            StartShift(
                site_id=site,
                unit_id="polres-tuban",
                commander_id=cmd,
                roster=[cmd, f"tbn-0{int(cmd[-1]) + 1}"],
                occurred_at=run.at(*day, 7),
            )
        )
    run(
        RecordPledge(
            unit_id="polres-tuban",
            election="pemilu-2024",
            document_ref="MoU netralitas Panglima TNI, Kapolri, Ketua KPU dan Bawaslu",
            occurred_at=run.at(*day, 8),
        )
    )
    patrol = run(
        PlanPatrol(
            kind="dialogic",
            leader_id="chakim-amrullah",
            unit_ids=["polres-tuban"],
            route=["kpu-kab-tuban", "bawaslu-kab-tuban", "gudang-kpu-kab-tuban"],
            name="Patroli dialogis Satsamapta awal tahapan kampanye",
            occurred_at=run.at(*day, 8, 30),
        )
    )
    pid = patrol["id"]
    run(StartPatrol(patrol_id=pid, occurred_at=run.at(*day, 9)))
    run(
        RecordVisit(
            patrol_id=pid,
            site_id="kpu-kab-tuban",
            arrived_at=run.at(*day, 9, 15),
            departed_at=run.at(*day, 9, 25),
            condition="aman",
            people_met=["Petugas jaga Kantor KPU Kabupaten Tuban"],
            notes="Jika ada yang mencurigakan silahkan langsung dilaporkan, kami siap "
            "untuk backup.",
        )
    )
    run(
        RecordVisit(
            patrol_id=pid,
            site_id="bawaslu-kab-tuban",
            arrived_at=run.at(*day, 10),
            departed_at=run.at(*day, 10, 10),
            condition="aman",
            people_met=[
                "Mohammad Sudarsono, Koordinator Divisi Penanganan Pelanggaran "
                "dan Data Informasi Bawaslu Kabupaten Tuban"
            ],
            notes="Memastikan situasi kantor Bawaslu aman; menegaskan TNI dan "
            "Polri tetap "
            "menjaga netralitas dalam Pemilu 2024.",
        )
    )
    run(
        RecordVisit(
            patrol_id=pid,
            site_id="gudang-kpu-kab-tuban",
            arrived_at=run.at(*day, 10, 50),
            departed_at=run.at(*day, 11),
            condition="aman",
            people_met=["Petugas jaga gudang logistik"],
            notes="Memastikan kesiapan pengamanan gudang logistik Pemilu 2024.",
        )
    )
    run(
        EndPatrol(
            patrol_id=pid,
            occurred_at=run.at(*day, 11, 30),
            summary="Patroli dialogis di KPU, Bawaslu dan gudang logistik "
            "Kabupaten Tuban: "
            "aman dan lancar.",
        )
    )


JEMBER_SITES = ("kpu-kab-jember", "gudang-kpu-kab-jember")
DAY_TEAMS = {
    "kpu-kab-jember": ["jbr-01", "jbr-02", "jbr-03"],
    "gudang-kpu-kab-jember": ["jbr-04", "jbr-05", "jbr-06"],
}
NIGHT_TEAMS = {
    "kpu-kab-jember": ["jbr-07", "jbr-08", "jbr-09"],
    "gudang-kpu-kab-jember": ["jbr-10", "jbr-11", "jbr-12"],
}
# The warehouse guards' phone kept a clock 40 minutes slow and was in a dead zone:
# its night check-ins arrived two hours late, with the phone's own times.
SLOW_PHONE = timedelta(minutes=40)


def jember_guard(run: Story) -> None:
    """Polres Jember guards the KPU office and warehouse round the clock."""
    run.begin("jember-guard")
    day = (2024, 1, 3)
    for site, what in zip(
        JEMBER_SITES,
        ("kantor KPU", "gudang logistik KPU"),
        strict=True,
    ):
        run(
            IssueAssignment(
                unit_id="polres-jember",
                site_id=site,
                headcount=3,
                starts_at=run.at(*day, 7),
                ends_at=run.at(2024, 2, 20, 7),
                checkin_interval_minutes=120,
                reference=f"Pengamanan rutin 24 jam {what}",
                occurred_at=run.at(*day, 6),
            )
        )
    shifts = {}
    for site in JEMBER_SITES:
        shifts[site] = run(
            StartShift(
                site_id=site,
                unit_id="polres-jember",
                commander_id=DAY_TEAMS[site][0],
                roster=DAY_TEAMS[site],
                occurred_at=run.at(*day, 7),
            )
        )
    for site in JEMBER_SITES:
        for member in DAY_TEAMS[site]:
            run(
                CheckIn(
                    site_id=site,
                    personnel_id=member,
                    method="qr",
                    occurred_at=run.at(*day, 7, 10),
                )
            )
    run(
        RecordSeals(
            site_id="gudang-kpu-kab-jember",
            seal_numbers=["KPU-JBR-0001", "KPU-JBR-0002"],
            status="intact",
            notes="Segel pintu gudang diperiksa saat apel pagi.",
            occurred_at=run.at(*day, 7, 20),
        )
    )
    for site in JEMBER_SITES:
        run(
            HandOver(
                site_id=site,
                shift_id=shifts[site]["id"],
                incoming_commander_id=NIGHT_TEAMS[site][0],
                incoming_roster=NIGHT_TEAMS[site],
                observations="Situasi aman dan kondusif.",
                seals_intact=True if site.startswith("gudang") else None,
                occurred_at=run.at(*day, 19),
            )
        )
    for site in JEMBER_SITES:
        for member in DAY_TEAMS[site]:
            run(
                CheckOut(
                    site_id=site, personnel_id=member, occurred_at=run.at(*day, 19, 5)
                )
            )
    for member in NIGHT_TEAMS["kpu-kab-jember"]:
        run(
            CheckIn(
                site_id="kpu-kab-jember",
                personnel_id=member,
                method="qr",
                occurred_at=run.at(*day, 19, 5),
            )
        )
    slow = run.at(*day, 19, 5) - SLOW_PHONE
    for member in NIGHT_TEAMS["gudang-kpu-kab-jember"]:
        run(
            CheckIn(
                site_id="gudang-kpu-kab-jember",
                personnel_id=member,
                method="qr",
                occurred_at=slow,
                device_time=slow,
                device_synced_at=slow + timedelta(hours=2),
            ),
            offline=timedelta(hours=2) + SLOW_PHONE,
        )


def jember_logistics(run: Story) -> None:
    """Ballots for the Pilkada leave the warehouse for the districts under escort."""
    run.begin("jember-logistics")
    day = (2024, 11, 25)
    run(
        RecordSeals(
            site_id="gudang-kpu-kab-jember",
            seal_numbers=["KPU-JBR-0001", "KPU-JBR-0002", "KPU-JBR-0003"],
            status="intact",
            notes="Segel pintu gudang dan kotak suara diperiksa sebelum distribusi.",
            occurred_at=run.at(*day, 6, 30),
        )
    )
    for hour, district in ((7, "Kaliwates"), (9, "Sumbersari"), (11, "Patrang")):
        run(
            RecordLogisticsMovement(
                site_id="gudang-kpu-kab-jember",
                direction="out",
                items=f"Kotak suara dan surat suara Pilkada untuk PPK {district}",
                from_location="Gudang Logistik KPU Kabupaten Jember",
                to_location=f"Kantor PPK {district}",
                escort_ids=["jbr-04", "jbr-05"],
                seal_numbers=[f"KPU-JBR-{hour:04d}"],
                occurred_at=run.at(*day, hour),
            )
        )


def jember_joint_patrol(run: Story) -> None:
    """The KRYD joint patrol of the Pilkada campaign in Jember (23 Oct 2024)."""
    run.begin("jember-patrol")
    day = (2024, 10, 23)
    patrol = run(
        PlanPatrol(
            kind="joint",
            leader_id="istono",
            unit_ids=[
                "polres-jember",
                "kodim-0824-jember",
                "satpol-pp-jember",
                "dishub-jember",
            ],
            route=[
                "gudang-kpu-kab-jember",
                "kpu-kab-jember",
                "bawaslu-kab-jember",
                "alun-alun-jember",
            ],
            name="KRYD patroli gabungan masa kampanye Pilkada 2024",
            occurred_at=run.at(*day, 19),
        )
    )
    pid = patrol["id"]
    run(StartPatrol(patrol_id=pid, occurred_at=run.at(*day, 20)))
    stops = [
        ("gudang-kpu-kab-jember", "Gudang KPU"),
        ("kpu-kab-jember", "Kantor KPU"),
        ("bawaslu-kab-jember", "Kantor Bawaslu"),
        ("alun-alun-jember", "Titik kerumunan masyarakat"),
    ]
    for i, (site, label) in enumerate(stops):
        arrived = run.at(*day, 20, 10) + timedelta(minutes=30 * i)
        run(
            RecordVisit(
                patrol_id=pid,
                site_id=site,
                arrived_at=arrived,
                departed_at=arrived + timedelta(minutes=10),
                condition="aman",
                people_met=[],
                notes=f"{label}: antisipasi aksi provokatif, terorisme hingga "
                f"kerusuhan; "
                "masyarakat diajak melaporkan aktivitas mencurigakan.",
            )
        )
    run(
        EndPatrol(
            patrol_id=pid,
            occurred_at=run.at(*day, 22, 30),
            summary="Patroli gabungan TNI, Polri, Satpol PP dan Dishub: situasi "
            "kamtibmas "
            "Jember aman dan kondusif.",
        )
    )
