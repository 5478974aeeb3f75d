"""Each view lists the event types it acts on; the runner skips the others, so for
them `apply` must leave the document as it was."""

from __future__ import annotations

from datetime import timedelta

from application.projections import FOLDED
from application.projections.common import Doc
from tests.unit.projections.records import T0, Log, site

ROSTER = ["jbr-01", "jbr-02"]
WAREHOUSE = "gudang-kpu-kab-jember"


def every_event_type() -> Log:
    """A log with each of the 33 event types, about one site, unit and person."""
    log = Log()
    site(log)
    site(log, site_id=WAREHOUSE)
    log.add(
        "PersonnelRegistered",
        {
            "personnel_id": "jbr-01",
            "name": "Anggota 1",
            "unit_id": "polres-jember",
            "id_number": "1",
        },
        aggregate_id="m1",
    )
    log.add(
        "SiteUpdated", {"changes": {"name": "KPU Kab. Jember"}}, 1, aggregate_id="s1"
    )
    log.add("GuardRequirementSet", {"required_guards": 4}, 2, aggregate_id="s1")
    log.add(
        "AlertLevelChanged", {"level": "siaga", "reason": "demo"}, 3, aggregate_id="s1"
    )
    until = (T0 + timedelta(days=1)).isoformat()
    log.add(
        "AssignmentIssued",
        {
            "unit_id": "polres-jember",
            "headcount": 2,
            "site_id": "kpu-kab-jember",
            "starts_at": T0.isoformat(),
            "ends_at": until,
        },
        4,
        aggregate_id="a1",
    )
    log.add(
        "ShiftStarted",
        {
            "site_id": "kpu-kab-jember",
            "shift_id": "sh1",
            "unit_id": "polres-jember",
            "commander_id": "jbr-01",
            "roster": ROSTER,
        },
        5,
        aggregate_id="d1",
    )
    log.add(
        "CheckedIn",
        {"site_id": "kpu-kab-jember", "personnel_id": "jbr-01", "method": "qr"},
        6,
        aggregate_id="c1",
    )
    log.add(
        "CheckedOut",
        {"site_id": "kpu-kab-jember", "personnel_id": "jbr-01"},
        7,
        aggregate_id="c2",
    )
    log.add(
        "ShiftHandedOver",
        {
            "site_id": "kpu-kab-jember",
            "shift_id": "sh1",
            "incoming_shift_id": "sh2",
            "outgoing_unit_id": "polres-jember",
            "incoming_unit_id": "polres-jember",
            "outgoing_commander_id": "jbr-01",
            "incoming_commander_id": "jbr-02",
            "outgoing_roster": ROSTER,
            "incoming_roster": ROSTER,
            "seals_intact": True,
            "observations": "aman",
        },
        8,
        aggregate_id="d1",
    )
    log.add(
        "ShiftEnded",
        {"site_id": "kpu-kab-jember", "shift_id": "sh2"},
        9,
        aggregate_id="d1",
    )
    log.add(
        "SealRecorded",
        {"site_id": WAREHOUSE, "seal_numbers": ["S-1"], "status": "intact"},
        10,
        aggregate_id="x1",
    )
    log.add(
        "LogisticsMoved",
        {
            "site_id": WAREHOUSE,
            "direction": "out",
            "items": "kotak suara",
            "escort_ids": ["jbr-01"],
        },
        11,
        aggregate_id="x2",
    )
    log.add(
        "PatrolPlanned",
        {
            "kind": "joint",
            "leader_id": "jbr-01",
            "unit_ids": ["polres-jember"],
            "route": ["kpu-kab-jember", WAREHOUSE],
        },
        12,
        aggregate_id="p1",
    )
    log.add("PatrolStarted", {}, 13, aggregate_id="p1")
    log.add(
        "SiteVisited",
        {
            "site_id": "kpu-kab-jember",
            "arrived_at": T0.isoformat(),
            "condition": "aman",
        },
        14,
        aggregate_id="p1",
    )
    log.add("PatrolEnded", {"summary": "aman"}, 15, aggregate_id="p1")
    log.add(
        "IncidentReported",
        {
            "site_id": "kpu-kab-jember",
            "category": "neutrality_violation",
            "severity": 2,
            "description": "x",
            "involved_unit_ids": ["polres-jember"],
            "involved_personnel_ids": ["jbr-01"],
        },
        16,
        aggregate_id="i1",
    )
    for n, (type_, data) in enumerate(
        [
            ("IncidentAcknowledged", {"by": "ops"}),
            ("BackupRequested", {"units": ["polres-jember"]}),
            ("BackupArrived", {"unit_id": "polres-jember"}),
            ("IncidentEscalated", {"severity": 3, "reason": "massa"}),
            ("IncidentNoteAdded", {"text": "catatan"}),
            ("IncidentResolved", {"resolution": "bubar"}),
            ("IncidentClosed", {}),
            ("IncidentReopened", {"reason": "kembali"}),
        ]
    ):
        log.add(type_, data, 17 + n, aggregate_id="i1")
    log.add(
        "NeutralityPledgeRecorded",
        {
            "unit_id": "polres-jember",
            "election": "pemilu-2024",
            "document_ref": "ikrar",
        },
        30,
        aggregate_id="n0",
    )
    log.add(
        "NeutralityConcernReported",
        {
            "reported_unit_id": "polres-jember",
            "reported_personnel_id": "jbr-01",
            "place": "Jember",
            "description": "x",
        },
        31,
        aggregate_id="n1",
    )
    log.add(
        "NeutralityReviewRecorded", {"finding": "no_violation"}, 32, aggregate_id="n1"
    )
    log.add("AssignmentRevoked", {}, 33, aggregate_id="a1")
    log.add("SiteDecommissioned", {}, 34, aggregate_id="s1")
    checked = log.records[4]
    log.add(
        "EntryCorrected",
        {
            "event_id": checked["event_id"],
            "reason": "typo",
            "changes": {"reason": "siaga"},
        },
        35,
        aggregate_id="e1",
    )
    return log


def test_the_log_here_has_every_event_type() -> None:
    assert len({r["type"] for r in every_event_type().records}) == 33


def test_views_leave_documents_unchanged_for_types_they_do_not_list() -> None:
    log = every_event_type()
    for view in FOLDED.values():
        assert "EntryCorrected" not in view.types
        docs: dict[str, Doc | None] = {}
        for record in log.records:
            if record["type"] == "EntryCorrected":
                continue
            for key in view.keys(record):
                before = docs.get(key)
                after = view.apply(before, record, key)
                if record["type"] not in view.types:
                    assert after == before, (view.name, record["type"], key)
                docs[key] = after
