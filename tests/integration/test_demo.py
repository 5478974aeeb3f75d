"""The demo recorded on its story's clock, on SQLite and PostgreSQL: the log holds
the story's dates, "as of" a moment of voting day shows the board as it was, and
the story moves so that its voting day is today."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from application.app import Jaga
from application.calendar import ElectionCalendar
from application.demo import WIB, load_demo
from infrastructure.store import library_env
from infrastructure.wiring import open_projections, open_read_model
from interfaces.cli.main import app as cli
from tests.integration.test_projections import demo, demo_template  # noqa: F401


def _times(app: Jaga) -> list[dict[str, object]]:
    return app.records(0, 100_000)


def test_the_demo_is_recorded_on_its_story_dates_most_on_time(demo: Jaga) -> None:  # noqa: F811
    records = _times(demo)
    recorded = [datetime.fromisoformat(str(r["recorded_at"])) for r in records]
    assert recorded == sorted(recorded)  # the log is in the order of recording
    assert recorded[0] >= datetime(2023, 11, 1, tzinfo=WIB)
    assert recorded[-1] < datetime(2024, 11, 28, tzinfo=WIB)
    late = [r for r in records if r["late"]]
    assert 3 <= len(late) <= len(records) // 20
    # A phone back from a dead zone: its check-ins carry the phone's own times.
    offline = [r for r in late if r["type"] == "CheckedIn"]
    assert offline and all(r["data"]["device_synced_at"] for r in offline)  # type: ignore[index]
    on_time = [r for r in records if not r["late"]]
    for r in on_time:
        gap = datetime.fromisoformat(str(r["recorded_at"])) - datetime.fromisoformat(
            str(r["occurred_at"])
        )
        assert timedelta(0) <= gap <= timedelta(minutes=15), r


def test_the_board_as_of_voting_day_morning_is_the_board_of_that_morning(
    demo: Jaga,  # noqa: F811
) -> None:
    open_projections(demo).catch_up()
    reads = open_read_model(demo)
    morning = reads.sites(as_of=datetime(2024, 11, 27, 8, tzinfo=WIB), limit=1000)
    rows = {r["site_id"]: r for r in morning["items"]}
    assert len(rows) == 13
    kpu = rows["kpu-kab-oku"]
    assert kpu["on_duty"]["headcount"] == 6 and kpu["required_guards"] == 10
    assert kpu["status"] == "amber"
    assert rows["bawaslu-kab-oku"]["on_duty"]["headcount"] == 10
    # Nothing of the afternoon yet, and not a board gone stale with the years.
    assert rows["bawaslu-kab-oku"]["open_incidents"] == 0
    assert not any("768" in " ".join(r["reasons"]) for r in rows.values())
    assert [r["status"] for r in rows.values()].count("green") >= 4
    # The same moment answered by the gaps: KPU's order fell short until 08:45.
    gaps = reads.gaps(
        "kpu-kab-oku",
        start=datetime(2024, 11, 27, tzinfo=WIB),
        end=datetime(2024, 11, 28, tzinfo=WIB),
    )
    [short] = gaps["understaffed"]
    assert (short["headcount"], short["required"]) == (6, 10)
    assert datetime.fromisoformat(short["to"]) == datetime(
        2024, 11, 27, 8, 45, tzinfo=WIB
    )
    evening = {
        r["site_id"]: r
        for r in reads.sites(as_of=datetime(2024, 11, 27, 18, tzinfo=WIB), limit=1000)[
            "items"
        ]
    }
    assert evening["kpu-kab-oku"]["status"] == "red"  # the drone, still open


def test_demo_today_moves_the_story_so_voting_day_is_today(tmp_path: Path) -> None:
    today = date.today()
    noon = datetime(today.year, today.month, today.day, 12, tzinfo=WIB)
    url = f"sqlite:///{tmp_path / 'jaga.sqlite3'}"
    app = Jaga(env=library_env(url), calendar=ElectionCalendar.load())
    try:
        load_demo(app, today, now=lambda: noon)
        records = _times(app)
        last = datetime.fromisoformat(str(records[-1]["recorded_at"]))
        assert noon - timedelta(hours=2) < last <= noon
        assert last.astimezone(WIB).date() == today
        # Later that day the rest of the story arrives; loading again adds nothing.
        evening = noon + timedelta(hours=8)
        load_demo(app, today, now=lambda: evening)
        size = app.log.max_position()
        assert size > len(records)
        load_demo(app, today, now=lambda: evening)
        assert app.log.max_position() == size
        whole = _times(app)
        assert all(
            datetime.fromisoformat(str(r["recorded_at"])) <= evening for r in whole
        )
    finally:
        app.close()


def test_jaga_demo_today_loads_once_and_refuses_another_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JAGA_DATABASE_URL", f"sqlite:///{tmp_path / 'jaga.sqlite3'}")
    runner = CliRunner()
    first = runner.invoke(cli, ["demo", "--today"])
    assert first.exit_code == 0, first.output
    assert f"voting day {datetime.now(WIB).date().isoformat()}" in first.output
    again = runner.invoke(cli, ["demo", "--today"])
    assert again.exit_code == 0 and " 0 new events" in again.output
    other = runner.invoke(cli, ["demo"])  # the story on its own dates
    assert other.exit_code == 1
    assert "another voting day" in other.output
