"""Commands on real stores (SQLite and PostgreSQL): metadata, idempotency, races."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from pydantic import ValidationError

from application.app import Jaga
from application.commands.duty import CheckIn, HandOver, StartShift
from application.commands.reference import RegisterSite
from application.errors import IdempotencyKeyReused
from domain.duty import ShiftNotOnDuty, TeamAlreadyOnDuty
from domain.errors import AlreadyRegistered, InvalidValue, NotFound
from tests.integration.scenario import FIELD, OPS, T0, WIB, ctx, jember


def test_every_event_carries_actor_times_and_election_tags(jaga: Jaga) -> None:
    jember(jaga, guards=1)
    answer = jaga.run(
        ctx(FIELD),
        CheckIn(
            site_id="kpu-kab-jember", personnel_id="jbr-01", method="qr", occurred_at=T0
        ),
    )
    [record] = jaga.records(after=answer["position"] - 1, limit=1)
    assert record["type"] == "CheckedIn"
    assert record["actor"] == {
        "id": "key-field",
        "name": "Pos jaga KPU Jember",
        "role": "field",
    }
    assert record["occurred_at"] == "2024-01-03T00:00:00+00:00"
    assert record["recorded_at"] == answer["recorded_at"]
    assert (record["election"], record["stage"]) == ("pemilu-2024", "campaign")
    assert record["late"] is True
    assert record["correlation_id"] == "test"
    assert record["data"]["personnel_id"] == "jbr-01"


def test_recent_event_is_not_late(jaga: Jaga) -> None:
    jember(jaga, guards=1)
    now = datetime.now(WIB)
    answer = jaga.run(
        ctx(FIELD),
        CheckIn(
            site_id="kpu-kab-jember",
            personnel_id="jbr-01",
            method="gps",
            occurred_at=now - timedelta(minutes=2),
        ),
    )
    assert jaga.find_record(answer["event_id"])["late"] is False  # type: ignore[index]


def test_positions_are_dense_and_in_order(jaga: Jaga) -> None:
    jember(jaga, guards=3)
    positions = [r["position"] for r in jaga.records(limit=100)]
    assert positions == list(range(1, len(positions) + 1))
    assert jaga.log.max_position() == len(positions)


def test_idempotent_repeat_writes_nothing_and_answers_the_same(jaga: Jaga) -> None:
    jember(jaga, guards=1)
    first = jaga.run(
        ctx(FIELD, "hp-07-0001"),
        CheckIn(
            site_id="kpu-kab-jember", personnel_id="jbr-01", method="qr", occurred_at=T0
        ),
    )
    before = jaga.log.max_position()
    again = jaga.run(
        ctx(FIELD, "hp-07-0001"),
        CheckIn(
            site_id="kpu-kab-jember", personnel_id="jbr-01", method="qr", occurred_at=T0
        ),
    )
    assert again == first
    assert jaga.log.max_position() == before


def test_same_idempotency_key_with_other_body_conflicts(jaga: Jaga) -> None:
    jember(jaga, guards=2)
    jaga.run(
        ctx(FIELD, "k1"),
        CheckIn(
            site_id="kpu-kab-jember", personnel_id="jbr-01", method="qr", occurred_at=T0
        ),
    )
    with pytest.raises(IdempotencyKeyReused):
        jaga.run(
            ctx(FIELD, "k1"),
            CheckIn(
                site_id="kpu-kab-jember",
                personnel_id="jbr-02",
                method="qr",
                occurred_at=T0,
            ),
        )


def test_naive_time_is_refused_and_nothing_written(jaga: Jaga) -> None:
    jember(jaga, guards=1)
    before = jaga.log.max_position()
    with pytest.raises(ValidationError) as e:
        jaga.run(
            ctx(FIELD),
            CheckIn(
                site_id="kpu-kab-jember",
                personnel_id="jbr-01",
                method="qr",
                occurred_at=datetime(2024, 1, 3, 7, 0),
            ),
        )
    assert e.value.errors()[0]["loc"] == ("occurred_at",)
    assert jaga.log.max_position() == before


def test_future_time_is_refused(jaga: Jaga) -> None:
    jember(jaga, guards=1)
    with pytest.raises(InvalidValue):
        jaga.run(
            ctx(FIELD),
            CheckIn(
                site_id="kpu-kab-jember",
                personnel_id="jbr-01",
                method="qr",
                occurred_at=datetime.now(WIB) + timedelta(hours=1),
            ),
        )


def test_unknown_site_and_person_are_not_found(jaga: Jaga) -> None:
    jember(jaga, guards=1)
    with pytest.raises(NotFound) as e:
        jaga.run(
            ctx(FIELD),
            CheckIn(
                site_id="kpu-kab-nowhere",
                personnel_id="jbr-01",
                method="qr",
                occurred_at=T0,
            ),
        )
    assert e.value.details["field"] == "site_id"
    with pytest.raises(NotFound) as e:
        jaga.run(
            ctx(FIELD),
            CheckIn(
                site_id="kpu-kab-jember",
                personnel_id="jbr-99",
                method="qr",
                occurred_at=T0,
            ),
        )
    assert e.value.details["field"] == "personnel_id"


def test_site_cannot_be_registered_twice(jaga: Jaga) -> None:
    jember(jaga, guards=1)
    with pytest.raises(AlreadyRegistered):
        jaga.run(
            ctx(),
            RegisterSite(
                site_id="kpu-kab-jember",
                kind="kpu_office",
                name="Lagi",
                province="jawa-timur",
                regency="kab-jember",
            ),
        )


def test_second_team_cannot_start_on_duty(jaga: Jaga) -> None:
    jember(jaga, guards=2)
    jaga.run(
        ctx(FIELD),
        StartShift(
            site_id="kpu-kab-jember",
            unit_id="polres-jember",
            commander_id="jbr-01",
            roster=["jbr-01"],
            occurred_at=T0,
        ),
    )
    with pytest.raises(TeamAlreadyOnDuty):
        jaga.run(
            ctx(FIELD),
            StartShift(
                site_id="kpu-kab-jember",
                unit_id="polres-jember",
                commander_id="jbr-02",
                roster=["jbr-02"],
                occurred_at=T0,
            ),
        )


def test_fifty_simultaneous_check_ins_at_one_site_all_succeed(jaga: Jaga) -> None:
    jember(jaga, guards=50)
    barrier = threading.Barrier(50)
    answers: list[dict[str, object]] = []
    errors: list[BaseException] = []

    def check_in(i: int) -> None:
        barrier.wait()
        try:
            answers.append(
                jaga.run(
                    ctx(FIELD),
                    CheckIn(
                        site_id="kpu-kab-jember",
                        personnel_id=f"jbr-{i:02d}",
                        method="nfc",
                        occurred_at=T0,
                    ),
                )
            )
        except BaseException as e:  # noqa: BLE001 - collected for the assertion
            errors.append(e)

    threads = [threading.Thread(target=check_in, args=(i,)) for i in range(1, 51)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len({a["position"] for a in answers}) == 50
    checked_in = [r for r in jaga.records(limit=1000) if r["type"] == "CheckedIn"]
    assert len(checked_in) == 50


def test_racing_handovers_let_exactly_one_win(jaga: Jaga) -> None:
    jember(jaga, guards=12)
    shift = jaga.run(
        ctx(FIELD),
        StartShift(
            site_id="kpu-kab-jember",
            unit_id="polres-jember",
            commander_id="jbr-01",
            roster=["jbr-01"],
            occurred_at=T0,
        ),
    )
    barrier = threading.Barrier(10)
    wins: list[dict[str, object]] = []
    conflicts: list[BaseException] = []

    def hand_over(i: int) -> None:
        barrier.wait()
        try:
            wins.append(
                jaga.run(
                    ctx(FIELD),
                    HandOver(
                        site_id="kpu-kab-jember",
                        shift_id=shift["id"],
                        incoming_commander_id=f"jbr-{i:02d}",
                        incoming_roster=[f"jbr-{i:02d}"],
                        occurred_at=T0 + timedelta(hours=12),
                    ),
                )
            )
        except ShiftNotOnDuty as e:
            conflicts.append(e)

    threads = [threading.Thread(target=hand_over, args=(i,)) for i in range(2, 12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(wins) == 1
    assert len(conflicts) == 9
    handovers = [r for r in jaga.records(limit=1000) if r["type"] == "ShiftHandedOver"]
    assert len(handovers) == 1
    assert handovers[0]["data"]["incoming_shift_id"] == wins[0]["id"]


def test_records_survive_reopening_the_store(store_url: str) -> None:
    from application.calendar import ElectionCalendar
    from infrastructure.store import library_env

    app = Jaga(env=library_env(store_url), calendar=ElectionCalendar.load())
    jember(app, guards=1)
    first = app.records(limit=100)
    app.close()
    again = Jaga(env=library_env(store_url), calendar=ElectionCalendar.load())
    try:
        assert again.records(limit=100) == first
    finally:
        again.close()


def test_ops_actor_is_recorded_on_registration(jaga: Jaga) -> None:
    jember(jaga, guards=1)
    assert {r["actor"]["id"] for r in jaga.records(limit=100)} == {OPS.id}


@pytest.mark.parametrize("grouped", [False, True])
def test_racing_retries_with_one_idempotency_key_write_once(
    jaga: Jaga, grouped: bool
) -> None:
    from application.commit import GroupCommitter

    if grouped:
        jaga.use_committer(GroupCommitter(jaga.store))
    jember(jaga, guards=1)
    before = jaga.log.max_position()
    barrier = threading.Barrier(8)
    answers: list[dict[str, object]] = []

    def retry() -> None:
        barrier.wait()
        answers.append(
            jaga.run(
                ctx(FIELD, "hp-07-0042"),
                CheckIn(
                    site_id="kpu-kab-jember",
                    personnel_id="jbr-01",
                    method="qr",
                    occurred_at=T0,
                ),
            )
        )

    threads = [threading.Thread(target=retry) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(answers) == 8
    assert all(a == answers[0] for a in answers)
    assert jaga.log.max_position() == before + 1
