"""A batch of commands saves like one-by-one, in one unit, each with its own outcome."""

from __future__ import annotations

from typing import Any

from application.app import Jaga
from application.batch import Command, commands_from, run_batch
from application.calendar import ElectionCalendar
from domain.errors import InvalidValue, NotFound
from infrastructure.store import library_env
from tests.integration.scenario import FIELD, OPS, T0, ctx, jember

WHEN = T0.isoformat()


def items() -> list[dict[str, Any]]:
    """A device back from a dead zone: reference data, then duty built on it."""
    out: list[dict[str, Any]] = [
        {
            "method": "POST",
            "path": "/api/v1/units",
            "body": {
                "unit_id": "polres-jember",
                "name": "Polres Jember",
                "kind": "polri",
                "occurred_at": WHEN,
            },
        },
        {
            "method": "POST",
            "path": "/api/v1/sites",
            "body": {
                "site_id": "kpu-kab-jember",
                "kind": "kpu_office",
                "name": "Kantor KPU Kabupaten Jember",
                "province": "jawa-timur",
                "regency": "kab-jember",
                "required_guards": 3,
                "occurred_at": WHEN,
            },
        },
    ]
    for i in range(1, 4):
        out.append(
            {
                "method": "POST",
                "path": "/api/v1/personnel",
                "body": {
                    "personnel_id": f"jbr-{i:02d}",
                    "id_number": f"D-{i}",
                    "name": f"Anggota {i}",
                    "unit_id": "polres-jember",
                    "occurred_at": WHEN,
                },
            }
        )
    for i in range(1, 4):
        out.append(
            {
                "idempotency_key": f"ci-{i}",
                "method": "POST",
                "path": "/api/v1/sites/kpu-kab-jember/check-ins",
                "body": {
                    "personnel_id": f"jbr-{i:02d}",
                    "method": "qr",
                    "occurred_at": WHEN,
                },
            }
        )
    out.append(
        {
            "method": "POST",
            "path": "/api/v1/sites/kpu-kab-jember/alert-level",
            "body": {"level": "siaga", "reason": "masa tenang", "occurred_at": WHEN},
        }
    )
    return out


def log_of(app: Jaga) -> list[tuple[Any, ...]]:
    return [
        (
            r["position"],
            r["type"],
            r["aggregate_version"],
            r["idempotency_key"],
            r["data"].get("personnel_id"),
            r["data"].get("level"),
        )
        for r in app.records(limit=10_000)
    ]


def open_jaga(url: str) -> Jaga:
    return Jaga(env=library_env(url), calendar=ElectionCalendar.load())


def test_batch_gives_the_same_log_as_one_by_one(store_url: str, tmp_path: Any) -> None:
    batched = open_jaga(store_url)
    alone = open_jaga(f"sqlite:///{tmp_path / 'alone.sqlite3'}")
    try:
        outcomes = run_batch(batched, commands_from(items(), ctx(OPS)))
        singles = [run_batch(alone, [c])[0] for c in commands_from(items(), ctx(OPS))]
        assert all(isinstance(o, dict) for o in outcomes), outcomes
        assert log_of(batched) == log_of(alone)
        assert [o["position"] for o in outcomes] == list(range(1, 10))  # type: ignore[index]
        assert [o["type"] for o in outcomes] == [s["type"] for s in singles]  # type: ignore[index]
    finally:
        batched.close()
        alone.close()


def test_failing_command_gets_its_own_error_and_the_rest_commit(jaga: Jaga) -> None:
    jember(jaga, guards=2)
    before = jaga.log.max_position()
    batch = [
        {
            "method": "POST",
            "path": "/api/v1/sites/kpu-kab-jember/check-ins",
            "body": {"personnel_id": "jbr-01", "method": "qr", "occurred_at": WHEN},
        },
        {
            "method": "POST",
            "path": "/api/v1/sites/kpu-kab-jember/check-ins",
            "body": {"personnel_id": "nobody", "method": "qr", "occurred_at": WHEN},
        },
        {
            "method": "POST",
            "path": "/api/v1/sites/kpu-kab-jember/check-ins",
            "body": {"personnel_id": "jbr-02", "method": "qr", "occurred_at": "nanti"},
        },
        {"method": "POST", "path": "/api/v1/nowhere", "body": {}},
        {
            "method": "POST",
            "path": "/api/v1/sites/kpu-kab-jember/check-ins",
            "body": {"personnel_id": "jbr-02", "method": "qr", "occurred_at": WHEN},
        },
    ]
    outcomes = run_batch(jaga, commands_from(batch, ctx(FIELD)))
    assert isinstance(outcomes[1], NotFound) and outcomes[1].details["field"] == (
        "personnel_id"
    )
    assert isinstance(outcomes[2], InvalidValue) and outcomes[2].field == "occurred_at"
    assert isinstance(outcomes[3], NotFound)
    assert [o["position"] for o in (outcomes[0], outcomes[4])] == [  # type: ignore[index]
        before + 1,
        before + 2,
    ]
    assert jaga.log.max_position() == before + 2


def test_command_that_loses_a_race_is_rerun_with_the_commands_built_on_it(
    jaga: Jaga,
) -> None:
    jember(jaga, guards=1)

    def raise_alert(level: str) -> Command:
        return lambda app: app.change_alert_level(
            ctx(), "kpu-kab-jember", level, "laporan intelijen", T0
        )

    raced: list[bool] = []

    def meanwhile(view: Jaga) -> dict[str, Any]:
        # Another writer saves once, between this batch's decisions and its commit.
        if not raced:
            raced.append(True)
            jaga.change_alert_level(ctx(), "kpu-kab-jember", "waspada", "lain", T0)
        return view.check_in(
            ctx(FIELD),
            "kpu-kab-jember",
            personnel_id="jbr-01",
            method="qr",
            occurred_at=T0,
        )

    outcomes = run_batch(jaga, [raise_alert("siaga"), meanwhile, raise_alert("awas")])
    assert all(isinstance(o, dict) for o in outcomes), outcomes
    site = jaga.site("kpu-kab-jember")
    assert site.alert_level == "awas"
    levels = [
        (r["aggregate_version"], r["data"].get("level"))
        for r in jaga.records(limit=1000)
        if r["type"] == "AlertLevelChanged"
    ]
    assert levels == [(2, "waspada"), (3, "siaga"), (4, "awas")]


def test_repeated_idempotency_key_answers_the_same_and_writes_once(jaga: Jaga) -> None:
    jember(jaga, guards=1)
    item = {
        "idempotency_key": "hp-17",
        "method": "POST",
        "path": "/api/v1/sites/kpu-kab-jember/check-ins",
        "body": {"personnel_id": "jbr-01", "method": "gps", "occurred_at": WHEN},
    }
    before = jaga.log.max_position()
    first = run_batch(jaga, commands_from([item, item], ctx(FIELD)))
    again = run_batch(jaga, commands_from([item], ctx(FIELD)))
    assert first[0] == first[1] == again[0]
    assert jaga.log.max_position() == before + 1
    changed = {**item, "body": {**item["body"], "method": "qr"}}
    refused = run_batch(jaga, commands_from([changed], ctx(FIELD)))
    assert getattr(refused[0], "code", None) == "idempotency_key_reused"


def test_resent_batch_answers_as_before_and_writes_nothing(jaga: Jaga) -> None:
    keyed = [{**it, "idempotency_key": f"dev-7-{i}"} for i, it in enumerate(items())]
    first = run_batch(jaga, commands_from(keyed, ctx(OPS)))
    before = jaga.log.max_position()
    again = run_batch(jaga, commands_from(keyed, ctx(OPS)))
    assert again == first
    assert jaga.log.max_position() == before


def test_jaga_import_saves_each_line_and_names_the_ones_that_fail(
    store_url: str, tmp_path: Any
) -> None:
    import json

    from typer.testing import CliRunner

    from interfaces.cli.main import app as cli

    lines = [json.dumps(i) for i in items()]
    lines.insert(
        3,
        json.dumps(
            {
                "method": "POST",
                "path": "/api/v1/units",
                "body": {"unit_id": "Bad Id!", "name": "x", "kind": "polri"},
            }
        ),
    )
    source = tmp_path / "offline.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    env = {"JAGA_DATABASE_URL": store_url}
    done = CliRunner().invoke(cli, ["import", str(source)], env=env)
    assert done.exit_code == 1, done.output
    assert "line 4: invalid_value" in done.output
    assert "9 saved, 1 failed, of 10 lines" in done.output
    app = open_jaga(store_url)
    try:
        before = app.log.max_position()
        # Sent again in other chunks: keyed check-ins answer as before, the
        # registrations are refused, the unkeyed alert change is a new event.
        again = CliRunner().invoke(
            cli, ["import", str(source), "--chunk", "3"], env=env
        )
        assert "line 1: already_registered" in again.output
        assert "4 saved, 6 failed" in again.output
        assert app.log.max_position() == before + 1
    finally:
        app.close()
