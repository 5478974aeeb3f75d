"""Who and where the demo is about: the units, leaders, guards and sites of the
seed reports.

Units, sites, leaders and dates are those of the reports. Rank-and-file guards are
not named in the reports, so they appear as numbered demo members with DEMO ID
numbers.
"""

from __future__ import annotations

from typing import Any

from application.commands.reference import (
    RegisterPersonnel,
    RegisterSite,
    RegisterUnit,
)
from application.demo.story import Story

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
        "site_id": "gudang-kpu-kab-oku",
        "lat": -4.1377,
        "lon": 104.1598,
        "kind": "logistics_warehouse",
        "name": "Gudang Logistik KPU OKU",
        "address": "Baturaja",
        **OKU,
        "required_guards": 2,
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


MEMBERS = (
    guards("polres-probolinggo-kota", "pbl", 4)
    + guards("polres-tuban", "tbn", 4)
    + guards("polres-jember", "jbr", 12)
    + guards("kodim-0824-jember", "dim0824", 2, "Serda")
    + guards("satpol-pp-jember", "satpol-jbr", 2, "Pengatur")
    + guards("dishub-jember", "dishub-jbr", 2, "Pengatur")
    + guards("polres-oku", "oku", 44)
)


def register(run: Story) -> None:
    """Units, people and sites, registered before the campaign."""
    run.begin("register")
    for unit_id, name, kind, province, regency in UNITS:
        run(
            RegisterUnit(
                unit_id=unit_id,
                name=name,
                kind=kind,
                province=province,
                regency=regency,
                occurred_at=run.at(2023, 11, 1, 8),
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
                occurred_at=run.at(2023, 11, 1, 8),
            )
        )
    for person in MEMBERS:
        run(RegisterPersonnel(**person, occurred_at=run.at(2023, 11, 1, 8)))
    for site in SITES:
        run(RegisterSite(**site, occurred_at=run.at(2023, 11, 1, 9)))
