"""The demo scenario, taken from the news reports in the seeds.

Units, sites, leaders and dates are those of the reports. Rank-and-file guards are
not named in the reports, so they appear as numbered demo members with DEMO ID
numbers. Every step carries an idempotency key, so loading twice writes once.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from application.app import Jaga
from application.commands.duty import (
    CheckIn,
    CheckOut,
    HandOver,
    RecordSeals,
    StartShift,
)
from application.commands.neutrality import RecordPledge
from application.commands.patrols import EndPatrol, PlanPatrol, RecordVisit, StartPatrol
from application.commands.reference import (
    ChangeAlertLevel,
    IssueAssignment,
    RegisterPersonnel,
    RegisterSite,
    RegisterUnit,
)
from application.commands.registry import Command
from application.writes import Actor, Context

WIB = timezone(timedelta(hours=7), "WIB")
DEMO_ACTOR = Actor(id="demo", name="Jaga demo loader", role="ops")

UNITS = [
    (
        "kodim-0820-probolinggo",
        "Kodim 0820/Probolinggo",
        "tni",
        "jawa-timur",
        "kota-probolinggo",
    ),
    (
        "polres-probolinggo-kota",
        "Polres Probolinggo Kota",
        "polri",
        "jawa-timur",
        "kota-probolinggo",
    ),
    ("polres-tuban", "Polres Tuban", "polri", "jawa-timur", "kab-tuban"),
    ("polres-jember", "Polres Jember", "polri", "jawa-timur", "kab-jember"),
    ("kodim-0824-jember", "Kodim 0824/Jember", "tni", "jawa-timur", "kab-jember"),
    (
        "satpol-pp-jember",
        "Satpol PP Kabupaten Jember",
        "satpol_pp",
        "jawa-timur",
        "kab-jember",
    ),
    (
        "dishub-jember",
        "Dinas Perhubungan Kabupaten Jember",
        "dishub",
        "jawa-timur",
        "kab-jember",
    ),
    (
        "polres-oku",
        "Polres Ogan Komering Ulu",
        "polri",
        "sumatera-selatan",
        "kab-ogan-komering-ulu",
    ),
]

LEADERS = [
    (
        "heri-budiasto",
        "Heri Budiasto",
        "kodim-0820-probolinggo",
        "Letkol Arm",
        "Dandim 0820/Probolinggo",
    ),
    (
        "chakim-amrullah",
        "Chakim Amrullah, S.H., M.H.",
        "polres-tuban",
        "AKP",
        "Kasat Samapta Polres Tuban",
    ),
    ("toha", "Toha, S.H.", "polres-jember", "Kompol", "Kabag Ops Polres Jember"),
    ("istono", "Istono, S.H.", "polres-jember", "Kompol", "Kabag Ops Polres Jember"),
    ("ibnu-holdon", "Ibnu Holdon", "polres-oku", "IPTU", "Kasi Humas Polres OKU"),
]

JATIM = {"province": "jawa-timur", "province_name": "Jawa Timur"}
OKU = {
    "province": "sumatera-selatan",
    "province_name": "Sumatera Selatan",
    "regency": "kab-ogan-komering-ulu",
    "regency_name": "Kabupaten Ogan Komering Ulu",
}
PROBOLINGGO = {
    **JATIM,
    "regency": "kota-probolinggo",
    "regency_name": "Kota Probolinggo",
}
TUBAN = {**JATIM, "regency": "kab-tuban", "regency_name": "Kabupaten Tuban"}
JEMBER = {**JATIM, "regency": "kab-jember", "regency_name": "Kabupaten Jember"}
JEMBER_KPU_ADDRESS = "Jl. Imam Bonjol No.129, Tegal Besar, Kec. Kaliwates, Jember"

# Positions are of the offices and warehouses in their towns (to about a hundred
# metres), so the map places each site where it stands.
SITES: list[dict[str, Any]] = [
    {
        "site_id": "kpu-kota-probolinggo",
        "lat": -7.7566,
        "lon": 113.2163,
        "kind": "kpu_office",
        "name": "Kantor KPU Kota Probolinggo",
        **PROBOLINGGO,
        "required_guards": 2,
    },
    {
        "site_id": "gudang-kpu-kota-probolinggo",
        "lat": -7.7647,
        "lon": 113.2058,
        "kind": "logistics_warehouse",
        "name": "Gudang Logistik KPU Kota Probolinggo",
        **PROBOLINGGO,
        "required_guards": 2,
    },
    {
        "site_id": "bawaslu-kota-probolinggo",
        "lat": -7.7528,
        "lon": 113.2199,
        "kind": "bawaslu_office",
        "name": "Kantor Bawaslu Kota Probolinggo",
        **PROBOLINGGO,
        "required_guards": 2,
    },
    {
        "site_id": "kpu-kab-tuban",
        "lat": -6.8985,
        "lon": 112.0468,
        "kind": "kpu_office",
        "name": "Kantor KPU Kabupaten Tuban",
        "address": "Jl. Pramuka, Tuban",
        **TUBAN,
        "required_guards": 2,
    },
    {
        "site_id": "bawaslu-kab-tuban",
        "lat": -6.8963,
        "lon": 112.0521,
        "kind": "bawaslu_office",
        "name": "Kantor Bawaslu Kabupaten Tuban",
        **TUBAN,
        "required_guards": 2,
    },
    {
        "site_id": "gudang-kpu-kab-tuban",
        "lat": -6.9052,
        "lon": 112.0398,
        "kind": "logistics_warehouse",
        "name": "Gudang Logistik Pemilu Kabupaten Tuban",
        **TUBAN,
        "required_guards": 2,
    },
    {
        "site_id": "kpu-kab-jember",
        "lat": -8.1812,
        "lon": 113.6836,
        "kind": "kpu_office",
        "name": "Kantor KPU Kabupaten Jember",
        "address": JEMBER_KPU_ADDRESS,
        **JEMBER,
        "required_guards": 3,
    },
    {
        "site_id": "gudang-kpu-kab-jember",
        "lat": -8.1816,
        "lon": 113.6842,
        "kind": "logistics_warehouse",
        "name": "Gudang Logistik KPU Kabupaten Jember",
        "address": JEMBER_KPU_ADDRESS,
        **JEMBER,
        "required_guards": 3,
    },
    {
        "site_id": "bawaslu-kab-jember",
        "lat": -8.1701,
        "lon": 113.7004,
        "kind": "bawaslu_office",
        "name": "Kantor Bawaslu Kabupaten Jember",
        **JEMBER,
    },
    {
        "site_id": "alun-alun-jember",
        "lat": -8.1689,
        "lon": 113.7022,
        "kind": "crowd_point",
        "name": "Alun-alun Jember (titik kerumunan)",
        **JEMBER,
    },
    {
        "site_id": "bawaslu-kab-oku",
        "lat": -4.1302,
        "lon": 104.1663,
        "kind": "bawaslu_office",
        "name": "Kantor Sekretariat Bawaslu OKU",
        "address": "Baturaja",
        **OKU,
        "required_guards": 10,
        "posture": "overt",
    },
    {
        "site_id": "kpu-kab-oku",
        "lat": -4.1266,
        "lon": 104.1712,
        "kind": "kpu_office",
        "name": "Kantor Sekretariat KPU OKU",
        "address": "Baturaja",
        **OKU,
        "required_guards": 10,
        "posture": "covert",
    },
]


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=WIB)


class Loader:
    """Runs each step once: a step's key makes a second load answer from the first."""

    def __init__(self, app: Jaga) -> None:
        self.app = app
        self.steps = 0

    def __call__(self, command: Command) -> dict[str, Any]:
        self.steps += 1
        ctx = Context(
            actor=DEMO_ACTOR,
            idempotency_key=f"demo-{self.steps:03d}",
            correlation_id="demo",
        )
        return self.app.run(ctx, command)


def guards(
    unit: str, prefix: str, count: int, rank: str = "Bripda"
) -> list[dict[str, Any]]:
    return [
        {
            "personnel_id": f"{prefix}-{i:02d}",
            "id_number": f"DEMO-{prefix.upper()}-{i:03d}",
            "name": f"Anggota jaga {i} {unit}",
            "unit_id": unit,
            "rank": rank,
            "position": "Personel pengamanan",
        }
        for i in range(1, count + 1)
    ]


def load_demo(app: Jaga) -> int:
    """Loads the scenario; returns how many steps it ran."""
    run = Loader(app)
    a = app
    for unit_id, name, kind, province, regency in UNITS:
        run(
            RegisterUnit(
                unit_id=unit_id,
                name=name,
                kind=kind,
                province=province,
                regency=regency,
                occurred_at=at(2023, 11, 1, 8),
            )
        )
    for pid, name, unit, rank, position in LEADERS:
        run(
            RegisterPersonnel(
                personnel_id=pid,
                id_number=f"DEMO-{pid.upper()}",
                name=name,
                unit_id=unit,
                rank=rank,
                position=position,
                occurred_at=at(2023, 11, 1, 8),
            )
        )
    members = (
        guards("polres-probolinggo-kota", "pbl", 4)
        + guards("polres-tuban", "tbn", 4)
        + guards("polres-jember", "jbr", 12)
        + guards("kodim-0824-jember", "dim0824", 2, "Serda")
        + guards("satpol-pp-jember", "satpol-jbr", 2, "Pengatur")
        + guards("dishub-jember", "dishub-jbr", 2, "Pengatur")
        + guards("polres-oku", "oku", 40)
    )
    for person in members:
        run(RegisterPersonnel(**person, occurred_at=at(2023, 11, 1, 8)))
    for site in SITES:
        run(RegisterSite(**site, occurred_at=at(2023, 11, 1, 9)))

    _probolinggo(run, a)
    _tuban(run, a)
    _jember_guard(run, a)
    _jember_joint_patrol(run, a)
    _oku(run, a)
    return run.steps


def _probolinggo(run: Loader, a: Jaga) -> None:
    day = (2023, 11, 16)
    shift = run(
        StartShift(
            site_id="kpu-kota-probolinggo",
            unit_id="polres-probolinggo-kota",
            commander_id="pbl-01",
            roster=["pbl-01", "pbl-02"],
            occurred_at=at(*day, 7),
        )
    )
    run(
        StartShift(
            site_id="bawaslu-kota-probolinggo",
            unit_id="polres-probolinggo-kota",
            commander_id="pbl-03",
            roster=["pbl-03", "pbl-04"],
            occurred_at=at(*day, 7),
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
                site_id=site, personnel_id=pid, method="qr", occurred_at=at(*day, 7, 5)
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
            planned_start=at(*day, 9),
            occurred_at=at(*day, 8),
        )
    )
    pid = patrol["id"]
    run(StartPatrol(patrol_id=pid, occurred_at=at(*day, 9)))
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
        arrived = at(*day, 9, 15) + timedelta(minutes=40 * i)
        run(
            RecordVisit(
                patrol_id=pid,
                site_id=site,
                arrived_at=arrived,
                departed_at=arrived + timedelta(minutes=25),
                condition="aman",
                people_met=["Anggota KPU dan Bawaslu Kota Probolinggo"],
                notes=notes,
            )
        )
    run(
        EndPatrol(
            patrol_id=pid,
            occurred_at=at(*day, 11, 30),
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
            occurred_at=at(*day, 19),
        )
    )


def _tuban(run: Loader, a: Jaga) -> None:
    day = (2023, 11, 29)
    run(
        RecordPledge(
            unit_id="polres-tuban",
            election="pemilu-2024",
            document_ref="MoU netralitas Panglima TNI, Kapolri, Ketua KPU dan Bawaslu",
            occurred_at=at(*day, 8),
        )
    )
    for site, cmd in (("kpu-kab-tuban", "tbn-01"), ("bawaslu-kab-tuban", "tbn-03")):
        run(
            StartShift(
                site_id=site,
                unit_id="polres-tuban",
                commander_id=cmd,
                roster=[cmd, f"tbn-0{int(cmd[-1]) + 1}"],
                occurred_at=at(*day, 7),
            )
        )
    patrol = run(
        PlanPatrol(
            kind="dialogic",
            leader_id="chakim-amrullah",
            unit_ids=["polres-tuban"],
            route=["kpu-kab-tuban", "bawaslu-kab-tuban", "gudang-kpu-kab-tuban"],
            name="Patroli dialogis Satsamapta awal tahapan kampanye",
            occurred_at=at(*day, 8, 30),
        )
    )
    pid = patrol["id"]
    run(StartPatrol(patrol_id=pid, occurred_at=at(*day, 9)))
    run(
        RecordVisit(
            patrol_id=pid,
            site_id="kpu-kab-tuban",
            arrived_at=at(*day, 9, 15),
            departed_at=at(*day, 9, 45),
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
            arrived_at=at(*day, 10),
            departed_at=at(*day, 10, 30),
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
            arrived_at=at(*day, 10, 50),
            departed_at=at(*day, 11, 10),
            condition="aman",
            people_met=["Petugas jaga gudang logistik"],
            notes="Memastikan kesiapan pengamanan gudang logistik Pemilu 2024.",
        )
    )
    run(
        EndPatrol(
            patrol_id=pid,
            occurred_at=at(*day, 11, 30),
            summary="Patroli dialogis di KPU, Bawaslu dan gudang logistik "
            "Kabupaten Tuban: "
            "aman dan lancar.",
        )
    )


def _jember_guard(run: Loader, a: Jaga) -> None:
    run(
        IssueAssignment(
            unit_id="polres-jember",
            route=None,
            site_id="kpu-kab-jember",
            headcount=3,
            starts_at=at(2024, 1, 3, 7),
            ends_at=at(2024, 2, 20, 7),
            checkin_interval_minutes=120,
            reference="Pengamanan rutin 24 jam kantor KPU",
            occurred_at=at(2024, 1, 3, 6),
        )
    )
    run(
        IssueAssignment(
            unit_id="polres-jember",
            site_id="gudang-kpu-kab-jember",
            headcount=3,
            starts_at=at(2024, 1, 3, 7),
            ends_at=at(2024, 2, 20, 7),
            checkin_interval_minutes=120,
            reference="Pengamanan rutin 24 jam gudang logistik KPU",
            occurred_at=at(2024, 1, 3, 6),
        )
    )
    day = (2024, 1, 3)
    teams = {
        "kpu-kab-jember": ["jbr-01", "jbr-02", "jbr-03"],
        "gudang-kpu-kab-jember": ["jbr-04", "jbr-05", "jbr-06"],
    }
    night = {
        "kpu-kab-jember": ["jbr-07", "jbr-08", "jbr-09"],
        "gudang-kpu-kab-jember": ["jbr-10", "jbr-11", "jbr-12"],
    }
    for site, team in teams.items():
        shift = _team_on_duty(
            run, a, site, "polres-jember", team, at(*day, 7), at(*day, 7, 10), "qr"
        )
        if site.startswith("gudang"):
            run(
                RecordSeals(
                    site_id=site,
                    seal_numbers=["KPU-JBR-0001", "KPU-JBR-0002"],
                    status="intact",
                    notes="Segel pintu gudang diperiksa saat apel pagi.",
                    occurred_at=at(*day, 7, 20),
                )
            )
        run(
            HandOver(
                site_id=site,
                shift_id=shift["id"],
                incoming_commander_id=night[site][0],
                incoming_roster=night[site],
                observations="Situasi aman dan kondusif.",
                seals_intact=True if site.startswith("gudang") else None,
                occurred_at=at(*day, 19),
            )
        )
        for member in team:
            run(
                CheckOut(site_id=site, personnel_id=member, occurred_at=at(*day, 19, 5))
            )
        for member in night[site]:
            run(
                CheckIn(
                    site_id=site,
                    personnel_id=member,
                    method="qr",
                    occurred_at=at(*day, 19, 5),
                )
            )


def _team_on_duty(
    run: Loader,
    a: Jaga,
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


def _jember_joint_patrol(run: Loader, a: Jaga) -> None:
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
            occurred_at=at(*day, 19),
        )
    )
    pid = patrol["id"]
    run(StartPatrol(patrol_id=pid, occurred_at=at(*day, 20)))
    stops = [
        ("gudang-kpu-kab-jember", "Gudang KPU"),
        ("kpu-kab-jember", "Kantor KPU"),
        ("bawaslu-kab-jember", "Kantor Bawaslu"),
        ("alun-alun-jember", "Titik kerumunan masyarakat"),
    ]
    for i, (site, label) in enumerate(stops):
        arrived = at(*day, 20, 10) + timedelta(minutes=30 * i)
        run(
            RecordVisit(
                patrol_id=pid,
                site_id=site,
                arrived_at=arrived,
                departed_at=arrived + timedelta(minutes=20),
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
            occurred_at=at(*day, 22, 30),
            summary="Patroli gabungan TNI, Polri, Satpol PP dan Dishub: situasi "
            "kamtibmas "
            "Jember aman dan kondusif.",
        )
    )


def _oku(run: Loader, a: Jaga) -> None:
    day = (2024, 11, 23)
    for site, first in (("bawaslu-kab-oku", 1), ("kpu-kab-oku", 21)):
        day_team = [f"oku-{i:02d}" for i in range(first, first + 10)]
        night_team = [f"oku-{i:02d}" for i in range(first + 10, first + 20)]
        method = "manual" if site == "kpu-kab-oku" else "qr"
        shift = _team_on_duty(
            run, a, site, "polres-oku", day_team, at(*day, 7), at(*day, 7, 5), method
        )
        run(
            HandOver(
                site_id=site,
                shift_id=shift["id"],
                incoming_commander_id=night_team[0],
                incoming_roster=night_team,
                observations="Aman, sejuk dan damai.",
                occurred_at=at(*day, 19),
            )
        )
    run(
        ChangeAlertLevel(
            site_id="kpu-kab-oku",
            level="siaga",
            reason="Masa tenang Pilkada 2024 dimulai; penjagaan 24 jam ditingkatkan.",
            occurred_at=at(2024, 11, 24, 0, 5),
        )
    )
