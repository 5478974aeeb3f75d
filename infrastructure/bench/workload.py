"""Voting day in Jawa Timur as API requests, deterministic for a seed.

38 regencies, about 120,000 TPS (scaled), two Linmas guards per TPS checking in
every hour, seals checked at opening and closing, regency patrols visiting TPS,
rare incidents; and the offices and warehouses (KPU, Bawaslu, gudang logistik)
guarded around the clock: shifts handed over every eight hours, hourly check-ins,
patrol visits. Requests are in the batch endpoint's format; a path may name an id
the server made for an earlier request as `{ref}`, saved by that request's `save_as`.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

WIB = timezone(timedelta(hours=7))
VOTING_DAY = datetime(2024, 2, 14, tzinfo=WIB)
PROVINCE_TPS = 120_000
API = "/api/v1"

# (slug, relative number of TPS): the large kabupaten and Surabaya weigh more.
LARGE = "jember malang sidoarjo banyuwangi pasuruan gresik kediri bojonegoro"
MIDDLE = (
    "bangkalan blitar bondowoso jombang lamongan lumajang madiun magetan mojokerto"
    " nganjuk ngawi pacitan pamekasan ponorogo probolinggo sampang situbondo"
    " sumenep trenggalek tuban tulungagung"
)
CITIES = "batu blitar kediri madiun malang mojokerto pasuruan probolinggo"
REGENCIES: tuple[tuple[str, int], ...] = (
    *((f"kab-{n}", 5) for n in LARGE.split()),
    *((f"kab-{n}", 3) for n in MIDDLE.split()),
    *((f"kota-{n}", 1) for n in CITIES.split()),
    ("kota-surabaya", 6),
)
TPS_GUARDS = 2
OFFICE_GUARDS = 4
PATROL_ROUTE = 20
INCIDENT_SHARE = 0.002
CATEGORIES = (
    "provocation",
    "suspicious_activity",
    "protest",
    "logistics_damage",
    "intimidation",
    "neutrality_violation",
)


@dataclass(frozen=True)
class Op:
    """One request: method, path, body; `save_as` names the answer's id for later."""

    method: str
    path: str
    body: dict[str, Any]
    key: str
    save_as: str | None = None
    at: datetime = VOTING_DAY

    def item(self, refs: dict[str, str] | None = None) -> dict[str, Any]:
        path = self.path.format_map(refs) if refs is not None else self.path
        return {
            "idempotency_key": self.key,
            "method": self.method,
            "path": path,
            "body": self.body,
        }

    @property
    def needs(self) -> list[str]:
        import string

        return [f for _, f, _, _ in string.Formatter().parse(self.path) if f]


@dataclass
class Regency:
    slug: str
    tps: list[str] = field(default_factory=list)

    @property
    def offices(self) -> list[str]:
        r = self.slug
        return [f"kpu-{r}", f"bawaslu-{r}", f"gudang-{r}"]

    @property
    def patrols(self) -> int:
        return max(1, math.ceil(len(self.tps) / PATROL_ROUTE))


class Workload:
    """The requests of voting day at `scale` × 120,000 TPS, the same for a seed."""

    def __init__(self, scale: float = 0.01, seed: int = 1) -> None:
        if not 0 < scale <= 10:
            raise ValueError("scale must be in (0, 10]")
        self.scale = scale
        self.seed = seed
        total = max(len(REGENCIES), round(PROVINCE_TPS * scale))
        weight = sum(w for _, w in REGENCIES)
        self.regencies = []
        for slug, w in REGENCIES:
            n = max(1, round(total * w / weight))
            reg = Regency(slug)
            reg.tps = [f"tps-{slug}-{i:05d}" for i in range(1, n + 1)]
            self.regencies.append(reg)
        self._seq = 0

    @property
    def tps_count(self) -> int:
        return sum(len(r.tps) for r in self.regencies)

    def _op(
        self,
        path: str,
        body: dict[str, Any],
        save_as: str | None = None,
        at: datetime = VOTING_DAY,
    ) -> Op:
        self._seq += 1
        body = (
            {**body, "occurred_at": at.isoformat()}
            if "arrived_at" not in body
            else body
        )
        return Op(
            "POST", API + path, body, f"bench-{self.seed}-{self._seq}", save_as, at
        )

    # --- reference data, in phases: each needs only ids saved by earlier ones ----

    def setup(self) -> list[list[Op]]:
        self._seq = 0
        at = VOTING_DAY - timedelta(days=1)
        units: list[Op] = []
        people: list[Op] = []
        sites: list[Op] = []
        for reg in self.regencies:
            r = reg.slug
            for kind, unit in (
                ("polri", f"polres-{r}"),
                ("tni", f"kodim-{r}"),
                ("linmas", f"linmas-{r}"),
            ):
                units.append(
                    self._op(
                        "/units",
                        {
                            "unit_id": unit,
                            "name": unit.replace("-", " ").title(),
                            "kind": kind,
                            "province": "jawa-timur",
                            "regency": r,
                        },
                        at=at,
                    )
                )
            for i in range(1, OFFICE_GUARDS * 3 + 1):
                people.append(self._person(f"pol-{r}-{i:03d}", f"polres-{r}", at))
            for n in range(1, len(reg.tps) + 1):
                for g in range(1, TPS_GUARDS + 1):
                    pid = f"lm-{r}-{n:05d}-{g}"
                    people.append(self._person(pid, f"linmas-{r}", at))
            for kind, site in zip(
                ("kpu_office", "bawaslu_office", "logistics_warehouse"),
                reg.offices,
                strict=True,
            ):
                sites.append(self._site(site, kind, r, OFFICE_GUARDS, at))
            for tps in reg.tps:
                sites.append(self._site(tps, "tps", r, TPS_GUARDS, at))
        plans: list[Op] = []
        for reg in self.regencies:
            r = reg.slug
            for k in range(reg.patrols):
                route = reg.tps[k * PATROL_ROUTE : (k + 1) * PATROL_ROUTE]
                plans.append(
                    self._op(
                        "/patrols",
                        {
                            "kind": "joint" if k % 2 else "dialogic",
                            "leader_id": f"pol-{r}-001",
                            "unit_ids": [f"polres-{r}"],
                            "route": route,
                        },
                        save_as=f"patrol-{r}-{k}",
                        at=at,
                    )
                )
            for s, site in enumerate(reg.offices):
                crew = self._crew(r, s, 0)
                plans.append(
                    self._op(
                        f"/sites/{site}/shifts",
                        {
                            "unit_id": f"polres-{r}",
                            "commander_id": crew[0],
                            "roster": crew,
                        },
                        save_as=f"shift-{site}",
                        at=at,
                    )
                )
        starts = [
            self._op(
                f"/patrols/{{patrol-{reg.slug}-{k}}}/start",
                {},
                at=VOTING_DAY + timedelta(hours=6),
            )
            for reg in self.regencies
            for k in range(reg.patrols)
        ]
        return [units, people, sites, plans, starts]

    def _person(self, pid: str, unit: str, at: datetime) -> Op:
        return self._op(
            "/personnel",
            {
                "personnel_id": pid,
                "id_number": pid.upper(),
                "name": f"Anggota {pid}",
                "unit_id": unit,
            },
            at=at,
        )

    def _site(self, site: str, kind: str, reg: str, guards: int, at: datetime) -> Op:
        return self._op(
            "/sites",
            {
                "site_id": site,
                "kind": kind,
                "name": site.replace("-", " ").upper(),
                "province": "jawa-timur",
                "regency": reg,
                "required_guards": guards,
            },
            at=at,
        )

    @staticmethod
    def _crew(reg: str, site: int, shift: int) -> list[str]:
        # Three crews of OFFICE_GUARDS rotate; each office has its own people.
        base = ((site + shift) % 3) * OFFICE_GUARDS
        return [f"pol-{reg}-{base + i:03d}" for i in range(1, OFFICE_GUARDS + 1)]

    # --- the day ------------------------------------------------------------------

    def voting_day(self, hours: int = 24) -> Iterator[Op]:
        """The day's requests in field-time order, hour by hour from 00:00 WIB."""
        for hour in range(hours):
            yield from self.hour(hour)

    def hour(self, hour: int) -> list[Op]:
        """One hour of voting day (0 = 00:00 WIB), sorted by field time."""
        rng = random.Random(f"{self.seed}:{hour}")
        self._seq = 10_000_000 * (hour + 1)
        start = VOTING_DAY + timedelta(hours=hour)
        ops: list[Op] = []

        def at(lo: float = 0, hi: float = 60) -> datetime:
            return start + timedelta(minutes=rng.uniform(lo, hi))

        for reg in self.regencies:
            r = reg.slug
            for s, site in enumerate(reg.offices):
                for p in self._crew(r, s, hour // 8):
                    ops.append(
                        self._op(
                            f"/sites/{site}/check-ins",
                            {"personnel_id": p, "method": "nfc"},
                            at=at(),
                        )
                    )
                if hour in (8, 16):
                    crew = self._crew(r, s, hour // 8)
                    ops.append(
                        self._op(
                            f"/sites/{site}/shifts/{{shift-{site}}}/handover",
                            {
                                "incoming_commander_id": crew[0],
                                "incoming_roster": crew,
                                "observations": "situasi aman terkendali",
                                "seals_intact": True,
                            },
                            save_as=f"shift-{site}",
                            at=at(0, 1),
                        )
                    )
            if not 7 <= hour <= 17:
                continue
            for n, tps in enumerate(reg.tps, 1):
                for g in range(1, TPS_GUARDS + 1):
                    ops.append(
                        self._op(
                            f"/sites/{tps}/check-ins",
                            {
                                "personnel_id": f"lm-{r}-{n:05d}-{g}",
                                "method": rng.choice(("qr", "qr", "gps", "manual")),
                            },
                            at=at(0, 30) if hour == 7 else at(),
                        )
                    )
                if hour in (7, 13):
                    ops.append(
                        self._op(
                            f"/sites/{tps}/seals",
                            {
                                "seal_numbers": [f"S-{tps}-{k}" for k in range(1, 5)],
                                "status": "intact",
                            },
                            at=at(),
                        )
                    )
                if rng.random() < INCIDENT_SHARE:
                    ops.append(
                        self._op(
                            "/incidents",
                            {
                                "site_id": tps,
                                "category": rng.choice(CATEGORIES),
                                "severity": rng.choice((1, 1, 2, 2, 3)),
                                "description": "laporan dari pengawas TPS",
                            },
                            at=at(),
                        )
                    )
            if hour in (9, 15):
                for k in range(reg.patrols):
                    route = reg.tps[k * PATROL_ROUTE : (k + 1) * PATROL_ROUTE]
                    for m, tps in enumerate(route):
                        arrived = start + timedelta(minutes=m * 60 / len(route))
                        ops.append(
                            self._op(
                                f"/patrols/{{patrol-{r}-{k}}}/visits",
                                {
                                    "site_id": tps,
                                    "arrived_at": arrived.isoformat(),
                                    "condition": rng.choice(
                                        ("aman", "aman", "waspada")
                                    ),
                                    "people_met": ["KPPS", "Linmas"],
                                },
                                at=arrived,
                            )
                        )
        ops.sort(key=lambda o: o.at)
        return ops

    def summary(self) -> dict[str, Any]:
        return {
            "scale": self.scale,
            "seed": self.seed,
            "regencies": len(self.regencies),
            "tps": self.tps_count,
        }
