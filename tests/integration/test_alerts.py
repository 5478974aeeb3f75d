"""Alert rules on both stores: each raises exactly once while its condition holds,
clears when it ends, and a new evaluator (a restart) repeats nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from application.app import Jaga
from application.calendar import ElectionCalendar
from application.commands.duty import CheckIn, StartShift
from application.commands.incidents import (
    AcknowledgeIncident,
    RecordBackupArrival,
    ReportIncident,
    RequestBackup,
)
from application.commands.neutrality import ReportConcern, ReviewConcern
from application.commands.reference import SetGuardRequirement
from application.writes import Actor
from infrastructure.alerts.evaluator import AlertEvaluator
from infrastructure.store import library_env
from infrastructure.views.wiring import projections, view_store
from tests.integration.scenario import FIELD, T0, ctx, jember

BAWASLU = Actor(id="key-bawaslu", name="Bawaslu Jember", role="bawaslu")
ROSTER = [f"jbr-{i:02d}" for i in range(1, 7)]


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def world(store_url: str) -> Iterator[tuple[Jaga, Clock]]:
    clock = Clock(T0)
    app = Jaga(
        env=library_env(store_url), calendar=ElectionCalendar.load(), clock=clock
    )
    try:
        jember(app)
        yield app, clock
    finally:
        app.close()


def evaluate(app: Jaga, evaluator: AlertEvaluator | None = None) -> AlertEvaluator:
    projections(app).catch_up()
    evaluator = evaluator or AlertEvaluator(app, view_store(app), clock=app.clock)
    evaluator.evaluate()
    projections(app).catch_up()
    return evaluator


def alert_events(app: Jaga, rule: str) -> list[dict[str, Any]]:
    raised = {
        r["aggregate_id"]
        for r in app.records(limit=10_000)
        if r["type"] == "AlertRaised" and r["data"]["rule"] == rule
    }
    return [
        r
        for r in app.records(limit=10_000)
        if r["type"].startswith("Alert") and r["aggregate_id"] in raised
    ]


def steps(app: Jaga, rule: str) -> list[str]:
    return [r["type"] for r in alert_events(app, rule)]


def run(app: Jaga, command: Any, actor: Actor | None = None) -> dict[str, Any]:
    return app.run(ctx(actor) if actor else ctx(), command)


def shift(app: Jaga, at: datetime) -> None:
    run(
        app,
        StartShift(
            site_id="kpu-kab-jember",
            unit_id="polres-jember",
            commander_id="jbr-01",
            roster=ROSTER,
            occurred_at=at,
        ),
        FIELD,
    )


def test_site_red_raises_once_clears_and_a_new_episode_raises_again(world) -> None:
    app, clock = world
    clock.now = T0 + timedelta(minutes=1)
    first = evaluate(app)
    evaluate(app, first)
    evaluate(app)  # a restarted evaluator remembers nothing: the store does
    [raised] = alert_events(app, "site_red")
    assert raised["data"]["subject"] == "site:kpu-kab-jember"
    assert raised["data"]["reasons"] == [
        {"code": "understaffed", "headcount": 0, "required": 6}
    ]
    assert raised["data"]["position"] == raised["position"] - 1
    shift(app, clock.now)
    evaluate(app)
    evaluate(app)
    assert steps(app, "site_red") == ["AlertRaised", "AlertCleared"]
    run(
        app,
        ReportIncident(
            category="riot",
            severity=3,
            description="Massa melempar batu",
            occurred_at=clock.now,
            site_id="kpu-kab-jember",
        ),
        FIELD,
    )
    evaluate(app, first)
    evaluate(app)
    events = alert_events(app, "site_red")
    assert [e["type"] for e in events] == ["AlertRaised", "AlertCleared", "AlertRaised"]
    assert events[2]["data"]["episode"] == 2
    assert events[2]["data"]["reasons"] == [{"code": "open_incident", "severity": 3}]


def test_check_in_overdue_against_the_interval_in_force(world) -> None:
    app, clock = world
    run(
        app,
        SetGuardRequirement(
            site_id="kpu-kab-jember",
            required_guards=6,
            checkin_interval_minutes=60,
            occurred_at=T0,
        ),
    )
    shift(app, T0)
    clock.now = T0 + timedelta(minutes=50)
    evaluate(app)
    assert steps(app, "check_in_overdue") == []
    clock.now = T0 + timedelta(minutes=70)
    evaluate(app)
    evaluate(app)
    [raised] = alert_events(app, "check_in_overdue")
    assert raised["data"]["reasons"] == [{"code": "no_check_in_since_shift_began"}]
    run(
        app,
        CheckIn(
            site_id="kpu-kab-jember",
            personnel_id="jbr-02",
            method="gps",
            occurred_at=clock.now,
        ),
        FIELD,
    )
    evaluate(app)
    evaluate(app)
    assert steps(app, "check_in_overdue") == ["AlertRaised", "AlertCleared"]


def test_patrol_visit_overdue_for_the_alert_level(world) -> None:
    app, clock = world
    clock.now = T0 + timedelta(hours=23)
    evaluate(app)
    assert steps(app, "patrol_overdue") == []
    clock.now = T0 + timedelta(hours=25)
    evaluate(app)
    evaluate(app)
    [raised] = alert_events(app, "patrol_overdue")
    assert raised["data"]["reasons"] == [{"code": "no_patrol_visit_yet"}]
    run(
        app,
        SetGuardRequirement(
            site_id="kpu-kab-jember",
            required_guards=6,
            patrol_interval_minutes=3 * 24 * 60,
            occurred_at=clock.now,
        ),
    )
    evaluate(app)
    evaluate(app)
    assert steps(app, "patrol_overdue") == ["AlertRaised", "AlertCleared"]


def report(app: Jaga, at: datetime, severity: int = 3) -> str:
    answer = run(
        app,
        ReportIncident(
            category="intimidation",
            severity=severity,
            description="Orang tak dikenal mengancam petugas",
            occurred_at=at,
            site_id="kpu-kab-jember",
        ),
        FIELD,
    )
    return str(answer["id"])


def test_severe_incident_unacknowledged_for_the_limit(world) -> None:
    app, clock = world
    shift(app, T0)
    report(app, T0, severity=2)  # below 3: never alerts
    incident = report(app, T0)
    clock.now = T0 + timedelta(minutes=14)
    evaluate(app)
    assert steps(app, "incident_unacknowledged") == []
    clock.now = T0 + timedelta(minutes=16)
    evaluate(app)
    evaluate(app)
    [raised] = alert_events(app, "incident_unacknowledged")
    assert raised["data"]["subject"] == f"incident:{incident}"
    assert raised["data"]["reasons"][0]["code"] == "unacknowledged_for"
    run(app, AcknowledgeIncident(incident_id=incident, occurred_at=clock.now))
    evaluate(app)
    evaluate(app)
    assert steps(app, "incident_unacknowledged") == ["AlertRaised", "AlertCleared"]


def test_backup_requested_and_not_arrived(world) -> None:
    app, clock = world
    incident = report(app, T0, severity=2)
    run(app, RequestBackup(incident_id=incident, occurred_at=T0))
    clock.now = T0 + timedelta(minutes=29)
    evaluate(app)
    assert steps(app, "backup_overdue") == []
    clock.now = T0 + timedelta(minutes=31)
    evaluate(app)
    evaluate(app)
    assert steps(app, "backup_overdue") == ["AlertRaised"]
    run(app, RecordBackupArrival(incident_id=incident, occurred_at=clock.now))
    evaluate(app)
    evaluate(app)
    assert steps(app, "backup_overdue") == ["AlertRaised", "AlertCleared"]


def test_neutrality_concern_deadline_within_one_working_day(world) -> None:
    app, clock = world
    # Wednesday 3 January 2024: seven working days on is Friday 12 January.
    answer = run(
        app,
        ReportConcern(
            reported_unit_id="polres-jember",
            place="Posko pemenangan",
            description="Anggota menghadiri rapat tim kampanye",
            reporter="Warga",
            occurred_at=T0,
        ),
    )
    clock.now = T0 + timedelta(days=6)  # Tuesday 9th: Friday is 3 working days on
    evaluate(app)
    assert steps(app, "concern_deadline") == []
    clock.now = T0 + timedelta(days=8, hours=1)  # Thursday 11th
    evaluate(app)
    evaluate(app)
    [raised] = alert_events(app, "concern_deadline")
    assert [r["code"] for r in raised["data"]["reasons"]] == ["registration_deadline"]
    run(
        app,
        ReviewConcern(
            concern_id=answer["id"], finding="no_violation", occurred_at=clock.now
        ),
        BAWASLU,
    )
    evaluate(app)
    evaluate(app)
    assert steps(app, "concern_deadline") == ["AlertRaised", "AlertCleared"]
