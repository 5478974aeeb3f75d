"""The site board's rules, judged on hand-built event sequences."""

from __future__ import annotations

from datetime import timedelta

from application.projections import board
from tests.unit.projections.records import T0, Log, shift, site


def judged(log: Log, minutes: float, stage: str | None = None) -> tuple[str, list[str]]:
    doc = log.doc("board", "site:kpu-kab-jember")
    assert doc is not None
    return board.judge(doc, T0 + timedelta(minutes=minutes), stage)


def visit(log: Log, minutes: float) -> None:
    log.add(
        "PatrolPlanned",
        {
            "kind": "routine",
            "leader_id": "toha",
            "unit_ids": ["polres-jember"],
            "route": ["kpu-kab-jember"],
        },
        minutes,
        aggregate_id="p1",
    )
    log.add(
        "SiteVisited",
        {
            "site_id": "kpu-kab-jember",
            "arrived_at": (T0 + timedelta(minutes=minutes)).isoformat(),
            "departed_at": None,
            "condition": "aman",
            "people_met": [],
            "notes": "",
        },
        minutes,
        aggregate_id="p1",
    )


def test_full_team_recently_visited_is_green() -> None:
    log = Log()
    site(log, required=2)
    shift(log, ["jbr-01", "jbr-02"])
    visit(log, 10)
    assert judged(log, 60) == ("green", [])


def test_team_below_requirement_is_amber_with_headcount() -> None:
    log = Log()
    site(log, required=6)
    shift(log, ["jbr-01", "jbr-02", "jbr-03", "jbr-04"])
    visit(log, 0)
    assert judged(log, 30) == ("amber", ["understaffed 4/6"])


def test_team_below_half_the_requirement_is_red() -> None:
    log = Log()
    site(log, required=6)
    shift(log, ["jbr-01", "jbr-02"])
    visit(log, 0)
    assert judged(log, 30) == ("red", ["understaffed 2/6"])


def test_open_severity_three_incident_is_red_until_resolved() -> None:
    log = Log()
    site(log, required=1)
    shift(log, ["jbr-01"])
    visit(log, 0)
    log.add(
        "IncidentReported",
        {
            "site_id": "kpu-kab-jember",
            "category": "provocation",
            "severity": 3,
            "description": "massa",
            "location": "",
            "reporter": "",
        },
        5,
        aggregate_id="i1",
    )
    assert judged(log, 10) == ("red", ["open severity-3 incident"])
    log.add("IncidentResolved", {"resolution": "bubar"}, 20, aggregate_id="i1")
    assert judged(log, 30) == ("green", [])


def test_patrol_interval_follows_alert_level_and_halves_on_voting_day() -> None:
    log = Log()
    site(log, required=0)
    visit(log, 0)
    assert judged(log, 7 * 60)[0] == "green"  # normal: every 24 h
    log.add(
        "AlertLevelChanged",
        {"level": "siaga", "reason": "masa tenang"},
        60,
        aggregate_id="s1",
    )
    assert judged(log, 7 * 60) == ("amber", ["no patrol visit for 7 h"])  # siaga: 6 h
    log.add(
        "AlertLevelChanged",
        {"level": "normal", "reason": "aman"},
        61,
        aggregate_id="s1",
    )
    assert judged(log, 13 * 60, stage="voting") == (
        "amber",
        ["no patrol visit for 13 h"],
    )


def test_awas_with_nobody_on_duty_is_red() -> None:
    log = Log()
    site(log, required=0)
    visit(log, 0)
    log.add(
        "AlertLevelChanged",
        {"level": "awas", "reason": "ancaman"},
        1,
        aggregate_id="s1",
    )
    assert judged(log, 30) == ("red", ["alert level awas and nobody on duty"])


def test_no_check_in_within_the_ordered_interval_is_amber() -> None:
    log = Log()
    site(log, required=1)
    log.add(
        "GuardRequirementSet",
        {
            "required_guards": 1,
            "checkin_interval_minutes": 60,
            "patrol_interval_minutes": None,
        },
        0,
        aggregate_id="s1",
    )
    shift(log, ["jbr-01"])
    visit(log, 0)
    log.add(
        "CheckedIn",
        {"site_id": "kpu-kab-jember", "personnel_id": "jbr-01", "method": "qr"},
        10,
        aggregate_id="c1",
    )
    assert judged(log, 60)[0] == "green"
    assert judged(log, 190) == ("amber", ["no check-in for 3 h"])


def test_handover_puts_the_incoming_team_on_duty() -> None:
    log = Log()
    site(log, required=2)
    shift(log, ["jbr-01", "jbr-02"])
    log.add(
        "ShiftHandedOver",
        {
            "site_id": "kpu-kab-jember",
            "shift_id": "shift-1",
            "outgoing_unit_id": "polres-jember",
            "outgoing_commander_id": "jbr-01",
            "outgoing_roster": ["jbr-01", "jbr-02"],
            "incoming_shift_id": "shift-2",
            "incoming_unit_id": "polres-jember",
            "incoming_commander_id": "jbr-03",
            "incoming_roster": ["jbr-03"],
            "observations": "",
            "seals_intact": None,
        },
        600,
        aggregate_id="s1",
    )
    doc = log.doc("board", "site:kpu-kab-jember")
    assert doc is not None and doc["on_duty"]["shift_id"] == "shift-2"
    assert judged(log, 601)[1][0] == "understaffed 1/2"


def test_correcting_a_roster_changes_the_headcount() -> None:
    log = Log()
    site(log, required=3)
    start = shift(log, ["jbr-01", "jbr-02"])
    visit(log, 0)
    assert judged(log, 5)[0] == "amber"
    log.add(
        "EntryCorrected",
        {
            "event_id": start["event_id"],
            "reason": "salah input",
            "changes": {"roster": ["jbr-01", "jbr-02", "jbr-03"]},
            "corrected_type": "ShiftStarted",
            "corrected_aggregate_id": "s1",
        },
        6,
        aggregate_id="x1",
    )
    assert judged(log, 7) == ("green", [])
