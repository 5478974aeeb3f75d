"""The views through the real runner, on SQLite and PostgreSQL: the demo, rebuilds,
a crash between batches, "as of" answers and corrections."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest

from application.app import Jaga
from application.calendar import ElectionCalendar
from application.commands.corrections import CorrectEntry
from application.commands.duty import CheckIn, StartShift
from application.demo import load_demo
from infrastructure.store import library_env
from infrastructure.views.reads import SqlReadModel
from infrastructure.views.rebuild import contents, discard, rebuild
from infrastructure.views.runner import ProjectionService
from infrastructure.views.store import ViewStore
from infrastructure.wiring import open_projections, open_read_model
from tests.conftest import drop_pg_database, new_pg_database, pg_url, postgres_available
from tests.integration.scenario import FIELD, T0, ctx, jember


class Crash(Exception):
    """The drill's fault: the runner's transaction dies before it commits."""


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def demo_template(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The demo loaded once per store; each test gets a copy (loading is slow)."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
        url = f"sqlite:///{path}"
    else:
        if not postgres_available():
            pytest.skip("PostgreSQL is not reachable")
        name = new_pg_database("jaga_demo")
        url = pg_url(name)
    app = Jaga(env=library_env(url), calendar=ElectionCalendar.load())
    load_demo(app)
    app.close()
    yield url
    if request.param == "postgres":
        drop_pg_database(name)


@pytest.fixture
def demo(demo_template: str, tmp_path: Path) -> Iterator[Jaga]:
    if demo_template.startswith("sqlite"):
        source = Path(demo_template.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            if Path(f"{source}{suffix}").exists():
                shutil.copy(f"{source}{suffix}", tmp_path / f"jaga.sqlite3{suffix}")
        url, name = f"sqlite:///{tmp_path / 'jaga.sqlite3'}", None
    else:
        name = f"jaga_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(pg_url("postgres"), autocommit=True) as conn:
            template = demo_template.rsplit("/", 1)[1]
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        url = pg_url(name)
    app = Jaga(env=library_env(url), calendar=ElectionCalendar.load())
    try:
        yield app
    finally:
        app.close()
        if name is not None:
            drop_pg_database(name)


def test_demo_board_incidents_timelines_and_register_are_queryable(demo: Jaga) -> None:
    open_projections(demo).catch_up()
    reads = open_read_model(demo)
    board = reads.sites(limit=1000)
    assert board["as_of_position"] == demo.log.max_position()
    rows = {r["site_id"]: r for r in board["items"]}
    assert len(rows) == 13
    assert rows["kpu-kab-oku"]["alert_level"] == "siaga"
    assert rows["kpu-kab-oku"]["on_duty"]["headcount"] == 10
    assert rows["kpu-kab-tuban"]["last_patrol_visit"]["leader_id"] == "chakim-amrullah"
    assert {r["status"] for r in board["items"]} <= {"green", "amber", "red"}
    assert reads.covert_site_ids() == {"kpu-kab-oku"}
    timeline = reads.timeline(site_id="kpu-kab-jember", limit=1000)["items"]
    assert timeline[0]["type"] == "SiteRegistered"
    assert "ShiftHandedOver" in {i["type"] for i in timeline}
    tuban = reads.register(unit_id="polres-tuban")["units"][0]
    assert tuban["pledges"][0]["election"] == "pemilu-2024"
    patrols = reads.patrols(status="ended")["items"]
    assert len(patrols) == 6 and all(p["visits"] for p in patrols)
    # The drone over KPU OKU is still open at the end of voting day.
    [drone] = reads.incidents(status="open")["items"]
    assert drone["site_id"] == "kpu-kab-oku"
    scoped = reads.sites(scope=[("sumatera-selatan", None)])["items"]
    assert {r["site_id"] for r in scoped} == {
        "kpu-kab-oku",
        "bawaslu-kab-oku",
        "gudang-kpu-kab-oku",
    }


def test_board_filters_match_the_sites_fields_exactly(demo: Jaga) -> None:
    # The store narrows these filters by the documents' text; the rows must be the
    # ones whose fields hold the value, no more and no fewer.
    open_projections(demo).catch_up()
    reads = open_read_model(demo)
    every = reads.sites(limit=1000)["items"]

    def ids(**filters: Any) -> set[str]:
        return {r["site_id"] for r in reads.sites(limit=1000, **filters)["items"]}

    for field in ("province", "regency", "kind"):
        for value in {r[field] for r in every}:
            assert ids(**{field: value}) == {
                r["site_id"] for r in every if r[field] == value
            }
    assert ids(province="jawa-timur", regency="kab-jember", kind="kpu_office") == {
        "kpu-kab-jember"
    }
    # LIKE's wildcards and its escape character are plain text in a filter.
    for odd in ("kab_jember", "kab%", "%", "kab-jember\\", 'kab-jember"'):
        assert ids(regency=odd) == set()


def test_rebuild_gives_identical_views(demo: Jaga) -> None:
    service = open_projections(demo)
    service.batch_size = 7  # many batches, unlike the rebuild
    service.catch_up()
    store = service.store
    before = contents(store)
    built = rebuild(store)
    assert built.position == demo.log.max_position()
    assert contents(store) == before
    assert open_read_model(demo).sites(limit=1000)["items"]


def test_crash_between_batches_resumes_to_views_equal_to_a_rebuild(demo: Jaga) -> None:
    store = ViewStore(demo)
    batches = 0

    def die_on_third(position: int) -> None:
        nonlocal batches
        batches += 1
        if batches == 3:
            raise Crash(f"killed before committing up to {position}")

    crashing = ProjectionService(store, batch_size=20, before_commit=die_on_third)
    with pytest.raises(Crash):
        crashing.catch_up()
    assert store.position() == 40
    ProjectionService(store, batch_size=20).catch_up()
    assert store.position() == demo.log.max_position()
    fresh = rebuild(store, swap=False, until=store.position())
    assert contents(store, fresh.generations) == contents(store)
    discard(store, fresh)


def test_as_of_answers_equal_a_rebuild_truncated_there(demo: Jaga) -> None:
    service = open_projections(demo)
    service.batch_size = 13
    service.catch_up()
    store = service.store
    reads = open_read_model(demo)
    for position in (5, 80, 131, 150, demo.log.max_position() - 1):
        built = rebuild(store, swap=False, until=position)
        truncated = SqlReadModel(
            store, demo.calendar, generations=built.generations, position=position
        )
        past = reads.sites(as_of_position=position, limit=1000)
        assert past["as_of_position"] == position
        assert past == truncated.sites(as_of_position=position, limit=1000)
        for region in ({"regency": "kab-jember"}, {"province": "sumatera-selatan"}):
            narrowed = reads.sites(as_of_position=position, limit=1000, **region)
            assert narrowed == truncated.sites(
                as_of_position=position, limit=1000, **region
            )
            if position > 80:
                assert 0 < len(narrowed["items"]) < len(past["items"])
        for site_id in ("kpu-kab-jember", "gudang-kpu-kab-jember", "kpu-kab-oku"):
            assert reads.site(site_id, as_of_position=position) == truncated.site(
                site_id, as_of_position=position
            )
        assert reads.timeline(
            as_of_position=position, limit=1000
        ) == truncated.timeline(limit=1000)
        discard(store, built)


def test_as_of_a_time_shows_what_was_recorded_by_then(jaga: Jaga) -> None:
    jember(jaga)
    service = open_projections(jaga)
    service.catch_up()
    reads = open_read_model(jaga)
    before = datetime.now(UTC) - timedelta(days=1)
    assert reads.sites(as_of=before)["items"] == []
    assert reads.sites(as_of=before)["as_of_position"] == 0
    now = reads.sites(as_of=datetime.now(UTC) + timedelta(seconds=1))
    assert [r["site_id"] for r in now["items"]] == ["kpu-kab-jember"]


def start_and_check_in(jaga: Jaga) -> dict[str, Any]:
    jember(jaga)
    jaga.run(
        ctx(),
        StartShift(
            site_id="kpu-kab-jember",
            unit_id="polres-jember",
            commander_id="jbr-01",
            roster=["jbr-01", "jbr-02", "jbr-03"],
            occurred_at=T0,
        ),
    )
    return jaga.run(
        ctx(FIELD),
        CheckIn(
            site_id="kpu-kab-jember",
            personnel_id="jbr-01",
            method="qr",
            occurred_at=T0 + timedelta(minutes=5),
        ),
    )


def test_correction_changes_the_views_and_the_timeline_shows_both(jaga: Jaga) -> None:
    start_and_check_in(jaga)
    shift = jaga.records(after=0, limit=1000)
    started = next(r for r in shift if r["type"] == "ShiftStarted")
    service = open_projections(jaga)
    service.catch_up()
    reads = open_read_model(jaga)
    assert reads.site("kpu-kab-jember")["on_duty"]["headcount"] == 3
    fix = jaga.run(
        ctx(),
        CorrectEntry(
            event_id=started["event_id"],
            reason="roster salah",
            changes={
                "roster": ["jbr-01", "jbr-02", "jbr-03", "jbr-04", "jbr-05", "jbr-06"]
            },
        ),
    )
    service.catch_up()
    row = reads.site("kpu-kab-jember")
    assert row["on_duty"]["headcount"] == 6
    assert "understaffed 6/6" not in row["reasons"]
    items = reads.timeline(site_id="kpu-kab-jember", limit=1000)["items"]
    original = next(i for i in items if i["event_id"] == started["event_id"])
    assert original["corrected_by"] == [fix["event_id"]]
    assert len(original["original_data"]["roster"]) == 3
    assert len(original["data"]["roster"]) == 6
    assert any(i["type"] == "EntryCorrected" for i in items)
    before_fix = reads.site("kpu-kab-jember", as_of_position=fix["position"] - 1)
    assert before_fix is not None and before_fix["on_duty"]["headcount"] == 3
    assert contents(service.store) == contents(
        service.store, rebuild(service.store, swap=False).generations
    )


def test_background_runner_follows_new_events_and_reads_can_wait(jaga: Jaga) -> None:
    service = open_projections(jaga)
    service.poll_seconds = 0.05
    service.start()
    try:
        answer = start_and_check_in(jaga)
        reads = open_read_model(jaga)
        assert reads.wait_for_position(answer["position"], timeout=10)
        assert reads.site("kpu-kab-jember")["last_check_in_at"] is not None
        assert reads.lag()["positions"] == 0
    finally:
        service.stop()


def test_runner_survives_a_failing_batch_and_reports_it(jaga: Jaga) -> None:
    failures = []

    def fail_once(position: int) -> None:
        if not failures:
            failures.append(position)
            raise Crash("disk full")

    jember(jaga)
    service = ProjectionService(
        ViewStore(jaga), before_commit=fail_once, poll_seconds=0.05
    )
    service.start()
    try:
        assert open_read_model(jaga).wait_for_position(
            jaga.log.max_position(), timeout=10
        )
    finally:
        service.stop()
    assert failures and service.failures == 0
