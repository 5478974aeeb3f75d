"""Incidents, patrols, neutrality register, gaps, custody, statistics and timeline
items, on hand-built event sequences."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from application.projections import gaps, incidents, register, stats, timeline
from tests.unit.projections.records import T0, Log, shift, site


def utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def incident(log: Log, **extra: object) -> None:
    log.add(
        "IncidentReported",
        {
            "site_id": "kpu-kab-jember",
            "category": "protest",
            "severity": 2,
            "description": "unjuk rasa",
            "location": "",
            "reporter": "pos jaga",
            **extra,
        },
        0,
        aggregate_id="i1",
    )


def test_incident_response_times_follow_each_step() -> None:
    log = Log()
    site(log)
    incident(log)
    log.add("IncidentAcknowledged", {"by": "Kabag Ops"}, 5, aggregate_id="i1")
    log.add("BackupRequested", {"units": [], "notes": ""}, 6, aggregate_id="i1")
    log.add("BackupArrived", {"unit_id": None}, 20, aggregate_id="i1")
    log.add("IncidentResolved", {"resolution": "bubar"}, 60, aggregate_id="i1")
    doc = log.doc("incidents", "incident:i1")
    assert doc is not None
    row = incidents.row(doc, T0 + timedelta(hours=5))
    assert row["status"] == "resolved"
    assert row["response_seconds"] == {
        "acknowledge": 300.0,
        "backup": 1200.0,
        "resolve": 3600.0,
    }
    assert row["age_seconds"] == 3600.0
    assert [h["type"] for h in row["history"]][-1] == "IncidentResolved"


def test_reopened_incident_is_open_again() -> None:
    log = Log()
    site(log)
    incident(log)
    log.add("IncidentResolved", {"resolution": "x"}, 10, aggregate_id="i1")
    log.add("IncidentReopened", {"reason": "massa kembali"}, 20, aggregate_id="i1")
    doc = log.doc("incidents", "incident:i1")
    assert doc is not None and incidents.row(doc, T0)["status"] == "open"


def test_patrol_lists_its_visits_and_status() -> None:
    log = Log()
    site(log)
    log.add(
        "PatrolPlanned",
        {
            "kind": "joint",
            "leader_id": "toha",
            "unit_ids": ["polres-jember"],
            "route": ["kpu-kab-jember"],
        },
        0,
        aggregate_id="p1",
    )
    log.add("PatrolStarted", {}, 10, aggregate_id="p1")
    log.add(
        "SiteVisited",
        {
            "site_id": "kpu-kab-jember",
            "arrived_at": T0.isoformat(),
            "departed_at": None,
            "condition": "aman",
            "people_met": ["KPU"],
            "notes": "aman",
        },
        15,
        aggregate_id="p1",
    )
    doc = log.doc("patrols", "patrol:p1")
    assert doc is not None and doc["status"] == "active"
    assert [v["site_id"] for v in doc["visits"]] == ["kpu-kab-jember"]
    assert doc["regions"] == [["jawa-timur", "kab-jember"]]


def test_concern_deadlines_count_working_days_and_days() -> None:
    log = Log()
    site(log)
    # T0 is Wednesday 3 January 2024; seven working days later is Friday the 12th.
    log.add(
        "NeutralityConcernReported",
        {
            "reported_unit_id": "polres-jember",
            "reported_personnel_id": None,
            "reporter": "warga",
            "place": "Jember",
            "description": "ikut kampanye",
            "evidence_refs": [],
            "site_id": None,
        },
        0,
        aggregate_id="n1",
        recorded_minutes=60 * 24 * 8,
    )
    log.add(
        "NeutralityReviewRecorded",
        {
            "finding": "violation",
            "recommendation": "Propam",
            "reference": "001",
            "forwarded_to": "propam",
        },
        60 * 24 * 20,
        aggregate_id="n1",
    )
    doc = log.doc("register", "unit:polres-jember")
    assert doc is not None
    concern = register.row(doc)["concerns"][0]
    assert concern["registration_deadline"] == "2024-01-12T00:00:00+00:00"  # 07:00 WIB
    assert concern["registered_in_time"] is True
    assert concern["decision_deadline"] == "2024-01-18T00:00:00+00:00"
    assert concern["decided_in_time"] is False
    assert concern["review"]["finding"] == "violation"


def test_pending_concern_has_no_decision_verdict() -> None:
    log = Log()
    site(log)
    log.add(
        "NeutralityConcernReported",
        {
            "reported_unit_id": "polres-jember",
            "reported_personnel_id": None,
            "reporter": "warga",
            "place": "Jember",
            "description": "x",
            "evidence_refs": [],
            "site_id": None,
        },
        0,
        aggregate_id="n1",
        recorded_minutes=60 * 24 * 12,
    )
    doc = log.doc("register", "unit:polres-jember")
    assert doc is not None
    concern = register.row(doc)["concerns"][0]
    assert concern["registered_in_time"] is False
    assert concern["decided_in_time"] is None


def test_neutrality_violation_incident_enters_the_units_register() -> None:
    log = Log()
    site(log)
    incident(log, category="neutrality_violation", involved_unit_ids=["polres-jember"])
    doc = log.doc("register", "unit:polres-jember")
    assert doc is not None and list(doc["incidents"]) == ["i1"]


def test_gaps_show_understaffing_against_orders_and_long_check_in_intervals() -> None:
    log = Log()
    site(log, required=2)
    log.add(
        "AssignmentIssued",
        {
            "unit_id": "polres-jember",
            "site_id": "kpu-kab-jember",
            "route": None,
            "headcount": 3,
            "personnel_ids": None,
            "starts_at": T0.isoformat(),
            "ends_at": (T0 + timedelta(days=1)).isoformat(),
            "checkin_interval_minutes": 60,
            "reference": "sprint",
        },
        0,
        aggregate_id="a1",
    )
    shift(log, ["jbr-01", "jbr-02"], 60)
    log.add(
        "CheckedIn",
        {"site_id": "kpu-kab-jember", "personnel_id": "jbr-01", "method": "qr"},
        60,
        aggregate_id="c1",
    )
    log.add(
        "CheckedIn",
        {"site_id": "kpu-kab-jember", "personnel_id": "jbr-01", "method": "qr"},
        240,
        aggregate_id="c2",
    )
    doc = log.doc("gaps", "site:kpu-kab-jember")
    assert doc is not None
    checks = gaps.checks_of(log.records)
    found = gaps.report(doc, checks, T0, T0 + timedelta(hours=6))
    hour = [utc(T0 + timedelta(hours=h)) for h in (0, 1, 6)]
    assert found["understaffed"] == [
        {
            "from": hour[0],
            "to": hour[1],
            "headcount": 0,
            "required": 3,
            "source": "assignment",
        },
        {
            "from": hour[1],
            "to": hour[2],
            "headcount": 2,
            "required": 3,
            "source": "assignment",
        },
    ]
    assert [
        (g["personnel_id"], g["minutes"], g["ordered_minutes"])
        for g in found["checkin_gaps"]
    ] == [("jbr-01", 180.0, 60)]


def test_custody_lists_seal_checks_and_handover_seals_in_order() -> None:
    log = Log()
    site(log, site_id="gudang-kpu-kab-jember")
    log.add(
        "SealRecorded",
        {
            "site_id": "gudang-kpu-kab-jember",
            "seal_numbers": ["S-1"],
            "status": "intact",
            "notes": "",
        },
        0,
        aggregate_id="x1",
    )
    log.add(
        "LogisticsMoved",
        {
            "site_id": "gudang-kpu-kab-jember",
            "direction": "out",
            "items": "kotak suara",
            "from_location": "gudang",
            "to_location": "PPK",
            "escort_ids": [],
            "seal_numbers": ["S-1"],
        },
        10,
        aggregate_id="x2",
    )
    doc = log.doc("custody", "site:gudang-kpu-kab-jember")
    assert doc is not None
    assert [s["seal_numbers"] for s in doc["seals"]] == [["S-1"]]
    assert doc["movements"][0]["to_location"] == "PPK"


def test_statistics_count_per_region_and_local_day() -> None:
    log = Log()
    site(log)
    for minutes in (0, 30, 60 * 18):  # the last is after midnight WIB
        log.add(
            "CheckedIn",
            {"site_id": "kpu-kab-jember", "personnel_id": "jbr-01", "method": "qr"},
            minutes,
            aggregate_id=f"c{minutes}",
        )
    first = log.doc("stats", "stats:jawa-timur/kab-jember/2024-01-03")
    second = log.doc("stats", "stats:jawa-timur/kab-jember/2024-01-04")
    assert first is not None and first["check_ins"] == 2
    assert second is not None and second["check_ins"] == 1
    assert stats.row(first, 2)["coverage"] == 0.0


def test_timeline_item_shows_corrected_and_original_data() -> None:
    log = Log()
    site(log)
    checked = log.add(
        "CheckedIn",
        {"site_id": "kpu-kab-jember", "personnel_id": "jbr-01", "method": "qr"},
        0,
        aggregate_id="c1",
    )
    fix = log.add(
        "EntryCorrected",
        {
            "event_id": checked["event_id"],
            "reason": "nfc",
            "changes": {"method": "nfc"},
        },
        5,
        aggregate_id="x1",
    )
    assert "site:kpu-kab-jember" in fix["subjects"]
    entry = timeline.item(checked, [fix])
    assert entry["data"]["method"] == "nfc"
    assert entry["original_data"]["method"] == "qr"
    assert entry["corrected_by"] == [fix["event_id"]]
    # The correction itself belongs to the site, so covert redaction reaches it.
    assert timeline.item(fix, [])["site_id"] == "kpu-kab-jember"
