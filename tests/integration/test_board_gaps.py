"""The board and the gaps tell one story: at every moment when the log holds what
had happened by then, both say the same headcount against the same requirement, on
the demo and on a generated stream of duty changes, assignment orders and
requirements, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

import pytest

from application.app import Jaga
from application.commands.duty import CheckIn, EndShift, HandOver, StartShift
from application.commands.reference import (
    DecommissionSite,
    IssueAssignment,
    RegisterPersonnel,
    RegisterSite,
    RegisterUnit,
    RevokeAssignment,
    SetGuardRequirement,
)
from application.commands.registry import Command
from application.demo import WIB
from application.writes import SYSTEM, Context
from domain.errors import InvalidValue
from infrastructure.views.reads import SqlReadModel
from infrastructure.wiring import open_projections, open_read_model
from tests.integration.test_projections import demo, demo_template  # noqa: F401

DUTY = {"ShiftStarted", "ShiftHandedOver", "ShiftEnded", "SiteDecommissioned"}
RULES = {"GuardRequirementSet", "AssignmentIssued", "AssignmentRevoked"}


def _known_by_then(records: list[dict[str, Any]]) -> list[tuple[int, datetime]]:
    """Each position with its recording time, when no entry recorded after it says
    that something about duty had happened by then (a late one)."""
    found = []
    for i, record in enumerate(records):
        moment = datetime.fromisoformat(record["recorded_at"])
        later = records[i + 1 :]
        if not any(
            r["type"] in DUTY | RULES
            and datetime.fromisoformat(r["occurred_at"]) <= moment
            for r in later
        ):
            found.append((record["position"], moment))
    return found


def _compare(app: Jaga, reads: SqlReadModel, every: int = 1) -> int:
    """Compares the board as of each position with the gaps at its moment; returns
    how many (site, moment) pairs agreed."""
    records = app.records(0, 100_000)
    checked = 0
    for n, (position, moment) in enumerate(_known_by_then(records)):
        if n % every:
            continue
        for row in reads.sites(as_of_position=position, limit=1000)["items"]:
            gaps = reads.gaps(
                row["site_id"], start=moment, end=moment + timedelta(seconds=1)
            )["understaffed"]
            if row["decommissioned"]:
                assert row["on_duty"] is None and gaps == [], (row, gaps)
                continue
            headcount = row["on_duty"]["headcount"] if row["on_duty"] else 0
            board = (
                [(headcount, row["required_guards"])]
                if headcount < row["required_guards"]
                else []
            )
            said = [(g["headcount"], g["required"]) for g in gaps]
            assert board == said, (position, moment, row["site_id"], board, said)
            checked += 1
    return checked


def test_board_and_gaps_agree_over_the_demo(demo: Jaga) -> None:  # noqa: F811
    open_projections(demo).catch_up()
    assert _compare(demo, open_read_model(demo), every=3) > 300


class Generated:
    """Duty at three sites, orders and requirements changing, recorded as they
    happen; backdated changes are tried and must be refused."""

    SITES = ("pos-a", "pos-b", "pos-c")

    def __init__(self, app: Jaga, seed: int) -> None:
        self.app, self.rng = app, random.Random(seed)
        self.now = datetime(2024, 11, 26, 6, tzinfo=WIB)
        self.on_duty: dict[str, str | None] = dict.fromkeys(self.SITES)
        self.orders: list[str] = []
        self.refused = 0

    def run(self, command: Command) -> dict[str, Any]:
        moment = self.now
        ctx = Context(SYSTEM, clock=lambda: moment)
        return self.app.run(ctx, command)

    def setup(self) -> None:
        self.run(
            RegisterUnit(
                unit_id="polres-x",
                name="Polres X",
                kind="polri",
                province="jawa-timur",
                regency="kab-x",
                occurred_at=self.now,
            )
        )
        for i in range(1, 9):
            self.run(
                RegisterPersonnel(
                    personnel_id=f"p-{i}",
                    id_number=f"N-{i}",
                    name=f"P {i}",
                    unit_id="polres-x",
                    occurred_at=self.now,
                )
            )
        for site in self.SITES:
            self.run(
                RegisterSite(
                    site_id=site,
                    kind="tps",
                    name=site,
                    province="jawa-timur",
                    regency="kab-x",
                    required_guards=self.rng.randint(0, 3),
                    occurred_at=self.now,
                )
            )

    def team(self) -> list[str]:
        return self.rng.sample([f"p-{i}" for i in range(1, 9)], self.rng.randint(1, 5))

    def step(self) -> None:
        self.now += timedelta(minutes=self.rng.randint(1, 90))
        site = self.rng.choice(self.SITES)
        shift, roll = self.on_duty[site], self.rng.random()
        if roll < 0.1 and shift:
            self._backdated(site, shift)
        elif shift is None and roll < 0.6:
            team = self.team()
            self.on_duty[site] = self.run(
                StartShift(
                    site_id=site,
                    unit_id="polres-x",
                    commander_id=team[0],
                    roster=team,
                    occurred_at=self.now,
                )
            )["id"]
        elif shift and roll < 0.5:
            team = self.team()
            self.on_duty[site] = self.run(
                HandOver(
                    site_id=site,
                    shift_id=shift,
                    incoming_commander_id=team[0],
                    incoming_roster=team,
                    occurred_at=self.now,
                )
            )["id"]
        elif shift and roll < 0.6:
            self.run(EndShift(site_id=site, shift_id=shift, occurred_at=self.now))
            self.on_duty[site] = None
        elif roll < 0.75:
            start = self.now + timedelta(minutes=self.rng.randint(-60, 120))
            self.orders.append(
                self.run(
                    IssueAssignment(
                        unit_id="polres-x",
                        site_id=site,
                        headcount=self.rng.randint(1, 4),
                        starts_at=start,
                        ends_at=start + timedelta(hours=self.rng.randint(1, 8)),
                        occurred_at=self.now,
                    )
                )["id"]
            )
        elif roll < 0.82 and self.orders:
            order = self.orders.pop(self.rng.randrange(len(self.orders)))
            self.run(
                RevokeAssignment(
                    assignment_id=order, reason="Dicabut", occurred_at=self.now
                )
            )
        elif roll < 0.9:
            self.run(
                SetGuardRequirement(
                    site_id=site,
                    required_guards=self.rng.randint(0, 5),
                    occurred_at=self.now,
                )
            )
        else:
            self.run(
                CheckIn(
                    site_id=site, personnel_id="p-1", method="qr", occurred_at=self.now
                )
            )

    def _backdated(self, site: str, shift: str) -> None:
        """A handover or end dated a week back: refused, nothing written."""
        week_ago = self.now - timedelta(days=7)
        attempt: Command = (
            HandOver(
                site_id=site,
                shift_id=shift,
                incoming_commander_id="p-1",
                incoming_roster=["p-1"],
                occurred_at=week_ago,
            )
            if self.rng.random() < 0.5
            else EndShift(site_id=site, shift_id=shift, occurred_at=week_ago)
        )
        with pytest.raises(InvalidValue):
            self.run(attempt)
        self.refused += 1


def test_board_and_gaps_agree_over_a_generated_workload(jaga: Jaga) -> None:
    stream = Generated(jaga, seed=18)
    stream.setup()
    for _ in range(160):
        stream.step()
    stream.run(
        DecommissionSite(site_id="pos-c", reason="Selesai", occurred_at=stream.now)
    )
    assert stream.refused >= 5
    open_projections(jaga).catch_up()
    assert _compare(jaga, open_read_model(jaga)) > 300
