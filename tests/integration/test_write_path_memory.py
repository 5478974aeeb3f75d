"""What the write path keeps in memory: facts that never change (who is registered,
where sites and units are), and idempotent answers looked up only when needed."""

from __future__ import annotations

import pytest

from application.app import Jaga
from application.commands.duty import CheckIn, StartShift
from application.errors import IdempotencyKeyReused
from domain.duty import TeamAlreadyOnDuty
from domain.unit import Personnel
from domain.values import named_id
from tests.integration.scenario import FIELD, T0, ctx, jember


def test_loaded_sites_units_and_people_are_remembered_with_their_regions(
    jaga: Jaga,
) -> None:
    jember(jaga, guards=2)
    jaga.run(
        ctx(),
        CheckIn(
            site_id="kpu-kab-jember",
            personnel_id="jbr-01",
            method="qr",
            occurred_at=T0,
        ),
    )
    site_id = named_id("site", "kpu-kab-jember")
    assert jaga.homes[site_id] == ("jawa-timur", "kab-jember")
    assert named_id("personnel", "jbr-01") in jaga.known_ids
    person = jaga.load(named_id("personnel", "jbr-02"))
    assert isinstance(person, Personnel)
    assert jaga.units_of[person.id] == "polres-jember"


def test_an_unknown_id_is_not_remembered_as_existing(jaga: Jaga) -> None:
    missing = named_id("personnel", "nobody")
    assert not jaga.exists(missing)
    assert missing not in jaga.known_ids
    jember(jaga, guards=1)
    assert jaga.exists(named_id("personnel", "jbr-01"))


def test_a_repeated_shift_start_replays_its_answer_though_a_team_is_now_on_duty(
    jaga: Jaga,
) -> None:
    jember(jaga, guards=2)
    start = {
        "unit_id": "polres-jember",
        "commander_id": "jbr-01",
        "roster": ["jbr-01", "jbr-02"],
        "occurred_at": T0,
    }
    first = jaga.run(
        ctx(FIELD, "shift-1"), StartShift(site_id="kpu-kab-jember", **start)
    )
    before = jaga.log.max_position()
    again = jaga.run(
        ctx(FIELD, "shift-1"), StartShift(site_id="kpu-kab-jember", **start)
    )
    assert again == first
    assert jaga.log.max_position() == before
    with pytest.raises(TeamAlreadyOnDuty):
        jaga.run(ctx(FIELD, "shift-2"), StartShift(site_id="kpu-kab-jember", **start))


def test_a_reused_key_with_a_body_that_would_fail_is_named_as_reused(
    jaga: Jaga,
) -> None:
    jember(jaga, guards=1)
    check_in = {"personnel_id": "jbr-01", "method": "qr", "occurred_at": T0}
    jaga.run(ctx(FIELD, "k1"), CheckIn(site_id="kpu-kab-jember", **check_in))
    with pytest.raises(IdempotencyKeyReused):
        jaga.run(
            ctx(FIELD, "k1"),
            CheckIn(site_id="kpu-kab-jember", **{**check_in, "personnel_id": "x"}),
        )
