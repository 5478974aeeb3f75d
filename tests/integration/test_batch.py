"""A batch of commands saves like one-by-one, in one unit, each with its own outcome."""

from __future__ import annotations

from concurrent.futures import Future
from typing import Any

from pydantic import ValidationError

from application.app import Jaga
from application.batch import Item, Outcome, run_batch
from application.calendar import ElectionCalendar
from application.commands import Command
from application.commands.reference import ChangeAlertLevel
from application.commit import Committer
from application.writes import Appended, Context
from domain.errors import NotFound
from infrastructure.store import library_env
from interfaces.http.batch import Item as BatchItem
from interfaces.http.batch import read_item
from interfaces.http.errors import ApiError
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


def batch_of(
    raw: list[dict[str, Any]], context: Context
) -> tuple[list[Item], list[Any]]:
    """Batch items read as the batch endpoint reads them: the commands to run, and
    each item's command or the error it answers with."""
    read = [read_item(BatchItem.model_validate(i), context.actor.role) for i in raw]
    runnable = [
        (Context(context.actor, "test", i.get("idempotency_key")), c)
        for i, c in zip(raw, read, strict=True)
        if isinstance(c, Command)
    ]
    return runnable, read


def run_items(app: Jaga, raw: list[dict[str, Any]], context: Context) -> list[Outcome]:
    runnable, read = batch_of(raw, context)
    done = iter(run_batch(app, runnable))
    return [c if isinstance(c, Exception) else next(done) for c in read]


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
        outcomes = run_items(batched, items(), ctx(OPS))
        singles = [run_items(alone, [i], ctx(OPS))[0] for i in items()]
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
    outcomes = run_items(jaga, batch, ctx(FIELD))
    assert isinstance(outcomes[1], NotFound) and outcomes[1].details["field"] == (
        "personnel_id"
    )
    assert isinstance(outcomes[2], ValidationError)
    assert outcomes[2].errors()[0]["loc"] == ("occurred_at",)
    assert isinstance(outcomes[3], ApiError) and outcomes[3].status == 404
    assert [o["position"] for o in (outcomes[0], outcomes[4])] == [  # type: ignore[index]
        before + 1,
        before + 2,
    ]
    assert jaga.log.max_position() == before + 2


class AnotherWriterFirst:
    """A committer before whose first save another writer saves once."""

    def __init__(self, jaga: Jaga, committer: Committer) -> None:
        self.jaga = jaga
        self.inner = committer
        self.raced = False

    def submit(self, writes: Any) -> Future[list[Appended]]:
        if not self.raced:
            self.raced = True
            self.jaga.run(
                ctx(),
                ChangeAlertLevel(
                    site_id="kpu-kab-jember",
                    level="waspada",
                    reason="lain",
                    occurred_at=T0,
                ),
            )
        return self.inner.submit(writes)

    def close(self) -> None:
        self.inner.close()


def test_command_that_loses_a_race_is_rerun_with_the_commands_built_on_it(
    jaga: Jaga,
) -> None:
    jember(jaga, guards=1)

    def alert(level: str) -> Item:
        return ctx(), ChangeAlertLevel(
            site_id="kpu-kab-jember",
            level=level,
            reason="laporan intelijen",
            occurred_at=T0,
        )

    jaga.use_committer(AnotherWriterFirst(jaga, jaga.committer))
    outcomes = run_batch(jaga, [alert("siaga"), alert("awas")])
    assert all(isinstance(o, dict) for o in outcomes), outcomes
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
    first = run_items(jaga, [item, item], ctx(FIELD))
    again = run_items(jaga, [item], ctx(FIELD))
    assert first[0] == first[1] == again[0]
    assert jaga.log.max_position() == before + 1
    changed = {**item, "body": {**item["body"], "method": "qr"}}
    refused = run_items(jaga, [changed], ctx(FIELD))
    assert getattr(refused[0], "code", None) == "idempotency_key_reused"


def test_resent_batch_answers_as_before_and_writes_nothing(jaga: Jaga) -> None:
    keyed = [{**it, "idempotency_key": f"dev-7-{i}"} for i, it in enumerate(items())]
    first = run_items(jaga, keyed, ctx(OPS))
    before = jaga.log.max_position()
    again = run_items(jaga, keyed, ctx(OPS))
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
    assert "line 4: refused:" in done.output
    assert "9 written, 0 already present, 1 refused, of 10 lines" in done.output
    app = open_jaga(store_url)
    try:
        before = app.log.max_position()
        # Sent again in other chunks: keyed check-ins answer as before, the
        # registrations are refused, the unkeyed alert change is a new event.
        again = CliRunner().invoke(
            cli, ["import", str(source), "--chunk", "3"], env=env
        )
        assert "line 1: refused:" in again.output
        assert "1 written, 3 already present, 6 refused" in again.output
        assert app.log.max_position() == before + 1
    finally:
        app.close()
