"""Domain invariants, in memory: each rule a user relies on, refused with its name."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from domain.duty import ShiftAlreadyHandedOver, ShiftNotOnDuty, TeamAlreadyOnDuty
from domain.errors import InvalidValue
from domain.incident import (
    BackupNotRequested,
    EscalationMustRaiseSeverity,
    Incident,
    IncidentAlreadyClosed,
    IncidentAlreadyResolved,
    IncidentNotOpen,
    IncidentNotResolved,
    IncidentStillOpen,
)
from domain.patrol import Patrol, PatrolAlreadyEnded, PatrolNotStarted
from domain.site import Site, SiteDecommissioned

WIB = timezone(timedelta(hours=7))
T0 = datetime(2024, 2, 14, 7, 0, tzinfo=WIB)


def site() -> Site:
    return Site.register(
        site_id="kpu-kab-jember",
        kind="kpu_office",
        name="Kantor KPU Kabupaten Jember",
        province="jawa-timur",
        regency="kab-jember",
        occurred_at=T0,
    )


def incident(severity: int = 2) -> Incident:
    return Incident.report(
        site_id="kpu-kab-jember",
        category="provocation",
        severity=severity,
        description="Massa berkumpul di depan kantor",
        occurred_at=T0,
    )


def test_site_takes_time_zone_from_province() -> None:
    assert site().timezone == "WIB"
    oku = Site.register(
        site_id="kpu-papua",
        kind="kpu_office",
        name="KPU Papua",
        province="papua",
        regency="kota-jayapura",
        occurred_at=T0,
    )
    assert oku.timezone == "WIT"


def test_unknown_province_needs_explicit_time_zone() -> None:
    with pytest.raises(InvalidValue) as e:
        Site.register(
            site_id="x",
            kind="other",
            name="X",
            province="atlantis",
            regency="r",
            occurred_at=T0,
        )
    assert e.value.field == "timezone"


def test_second_team_cannot_start_where_one_is_on_duty() -> None:
    s = site()
    s.start_shift("s1", "polres-jember", "jbr-01", ["jbr-01", "jbr-02"], T0)
    with pytest.raises(TeamAlreadyOnDuty):
        s.start_shift("s2", "polres-jember", "jbr-03", ["jbr-03"], T0)


def test_handover_must_name_the_shift_on_duty() -> None:
    s = site()
    s.start_shift("s1", "polres-jember", "jbr-01", ["jbr-01"], T0)
    with pytest.raises(ShiftNotOnDuty):
        s.hand_over(
            "other",
            "s2",
            incoming_commander_id="jbr-02",
            incoming_roster=["jbr-02"],
            occurred_at=T0,
        )


def test_second_handover_of_same_shift_conflicts() -> None:
    s = site()
    s.start_shift("s1", "polres-jember", "jbr-01", ["jbr-01"], T0)
    s.hand_over(
        "s1",
        "s2",
        incoming_commander_id="jbr-02",
        incoming_roster=["jbr-02"],
        occurred_at=T0 + timedelta(hours=12),
    )
    with pytest.raises(ShiftAlreadyHandedOver):
        s.hand_over(
            "s1",
            "s3",
            incoming_commander_id="jbr-03",
            incoming_roster=["jbr-03"],
            occurred_at=T0 + timedelta(hours=12),
        )
    assert s.on_duty is not None and s.on_duty.shift_id == "s2"


def test_handover_keeps_outgoing_team_in_the_event_and_commander_in_roster() -> None:
    s = site()
    s.start_shift("s1", "polres-jember", "jbr-01", ["jbr-02"], T0)
    s.hand_over(
        "s1",
        "s2",
        incoming_commander_id="jbr-03",
        incoming_roster=["jbr-03", "jbr-04"],
        seals_intact=True,
        occurred_at=T0,
    )
    event = s.collect_events()[-1]
    assert event.outgoing_roster == ["jbr-01", "jbr-02"]  # type: ignore[attr-defined]
    assert event.incoming_roster == ["jbr-03", "jbr-04"]  # type: ignore[attr-defined]
    assert event.seals_intact is True  # type: ignore[attr-defined]


def test_handover_before_the_shift_began_is_refused_naming_occurred_at() -> None:
    s = site()
    s.start_shift("s1", "polres-jember", "jbr-01", ["jbr-01"], T0)
    with pytest.raises(InvalidValue) as e:
        s.hand_over(
            "s1",
            "s2",
            incoming_commander_id="jbr-02",
            incoming_roster=["jbr-02"],
            occurred_at=T0 - timedelta(days=7),
        )
    assert e.value.field == "occurred_at"
    with pytest.raises(InvalidValue):
        s.end_shift("s1", None, T0 - timedelta(minutes=1))
    # The next shift began at the handover: handing it over earlier is refused too.
    s.hand_over(
        "s1",
        "s2",
        incoming_commander_id="jbr-02",
        incoming_roster=["jbr-02"],
        occurred_at=T0 + timedelta(hours=12),
    )
    with pytest.raises(InvalidValue):
        s.hand_over(
            "s2",
            "s3",
            incoming_commander_id="jbr-03",
            incoming_roster=["jbr-03"],
            occurred_at=T0 + timedelta(hours=11),
        )
    assert s.on_duty is not None and s.on_duty.shift_id == "s2"


def test_handover_to_a_commander_outside_the_incoming_roster_is_refused() -> None:
    s = site()
    s.start_shift("s1", "polres-jember", "jbr-01", ["jbr-01"], T0)
    with pytest.raises(InvalidValue) as e:
        s.hand_over(
            "s1",
            "s2",
            incoming_commander_id="jbr-09",
            incoming_roster=["jbr-02", "jbr-03"],
            occurred_at=T0 + timedelta(hours=12),
        )
    assert e.value.field == "incoming_commander_id"
    assert s.on_duty is not None and s.on_duty.shift_id == "s1"


def test_a_shift_cannot_start_before_the_last_one_ended() -> None:
    s = site()
    s.start_shift("s1", "polres-jember", "jbr-01", ["jbr-01"], T0)
    s.end_shift("s1", None, T0 + timedelta(hours=12))
    with pytest.raises(InvalidValue) as e:
        s.start_shift(
            "s2", "polres-jember", "jbr-02", ["jbr-02"], T0 + timedelta(hours=6)
        )
    assert e.value.field == "occurred_at"
    s.start_shift("s2", "polres-jember", "jbr-02", ["jbr-02"], T0 + timedelta(hours=12))


def test_decommissioned_site_refuses_duty() -> None:
    s = site()
    s.decommission("Tahapan selesai", T0)
    with pytest.raises(SiteDecommissioned):
        s.start_shift("s1", "polres-jember", "jbr-01", ["jbr-01"], T0)


def test_incident_cannot_be_resolved_twice() -> None:
    i = incident()
    i.resolve("Massa membubarkan diri", T0)
    with pytest.raises(IncidentAlreadyResolved):
        i.resolve("lagi", T0)


def test_incident_cannot_be_closed_before_resolved() -> None:
    i = incident()
    with pytest.raises(IncidentNotResolved):
        i.close(T0)
    i.resolve("selesai", T0)
    i.close(T0)
    with pytest.raises(IncidentAlreadyClosed):
        i.close(T0)


def test_closed_incident_refuses_response_until_reopened() -> None:
    i = incident()
    i.resolve("selesai", T0)
    i.close(T0)
    with pytest.raises(IncidentNotOpen):
        i.acknowledge("Kasat Samapta", T0)
    with pytest.raises(IncidentAlreadyClosed):
        i.add_note("catatan", T0)
    i.reopen("Massa kembali", T0)
    i.request_backup(["polres-jember"], None, T0)
    assert i.status == "acknowledged"


def test_open_incident_cannot_be_reopened() -> None:
    with pytest.raises(IncidentStillOpen):
        incident().reopen("?", T0)


def test_backup_arrives_only_after_request() -> None:
    i = incident()
    with pytest.raises(BackupNotRequested):
        i.record_backup_arrival("polres-jember", T0)
    i.request_backup(["polres-jember"], "Butuh tambahan personel", T0)
    i.record_backup_arrival("polres-jember", T0)


def test_escalation_must_raise_severity() -> None:
    i = incident(severity=3)
    with pytest.raises(EscalationMustRaiseSeverity):
        i.escalate(2, "turun", T0)
    i.escalate(4, "Massa bertambah", T0)
    assert i.severity == 4


def test_incident_needs_site_or_location() -> None:
    with pytest.raises(InvalidValue):
        Incident.report(category="riot", severity=2, description="x", occurred_at=T0)


def patrol() -> Patrol:
    return Patrol.plan(
        kind="dialogic",
        leader_id="chakim-amrullah",
        unit_ids=["polres-tuban"],
        route=["kpu-kab-tuban"],
        occurred_at=T0,
    )


def test_patrol_visit_needs_a_started_patrol() -> None:
    p = patrol()
    with pytest.raises(PatrolNotStarted):
        p.visit("kpu-kab-tuban", arrived_at=T0, condition="aman")
    p.start(T0)
    p.visit("kpu-kab-tuban", arrived_at=T0, condition="aman")
    p.end("aman", T0)
    with pytest.raises(PatrolAlreadyEnded):
        p.visit("kpu-kab-tuban", arrived_at=T0, condition="aman")


def test_visit_departure_not_before_arrival() -> None:
    p = patrol()
    p.start(T0)
    with pytest.raises(InvalidValue) as e:
        p.visit(
            "kpu-kab-tuban",
            arrived_at=T0,
            departed_at=T0 - timedelta(minutes=1),
            condition="aman",
        )
    assert e.value.field == "departed_at"


def correction(changes: dict[str, object]) -> object:
    from domain.correction import Correction

    original = {
        "severity": 2,
        "category": "provocation",
        "description": "x",
        "occurred_at": "2024-02-14T00:00:00+00:00",
        "site_id": "kpu-kab-jember",
    }
    return Correction.record(
        "e1", "IncidentReported", "a1", original, "salah ketik", changes, T0
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"nonexistent": 1}, "changes.nonexistent"),
        ({"site_id": "kpu-lain"}, "changes.site_id"),
        ({}, "changes"),
    ],
)
def test_correction_refuses_changes_the_entry_cannot_take(
    changes: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidValue) as e:
        correction(changes)
    assert e.value.field == field


def test_correction_cannot_move_a_site_to_another_region() -> None:
    from domain.correction import Correction

    original = {
        "site_id": "kpu-kab-jember",
        "province": "jawa-timur",
        "regency": "kab-jember",
        "name": "KPU Jember",
    }
    for name in ("province", "regency"):
        with pytest.raises(InvalidValue) as e:
            Correction.record(
                "e1", "SiteRegistered", "a1", original, "salah", {name: "kab-lain"}, T0
            )
        assert e.value.field == f"changes.{name}"
    fixed = Correction.record(
        "e1",
        "SiteRegistered",
        "a1",
        original,
        "salah ketik",
        {"name": "KPU Kabupaten Jember"},
        T0,
    )
    assert fixed.collect_events()[0].changes == {  # type: ignore[attr-defined]
        "name": "KPU Kabupaten Jember"
    }
