"""Drills against an operator who holds the database and the signing key: a history
rewritten and re-signed so its own signature verifies, and two histories of one size
shown to two witnesses. Witnesses run as `jaga witness serve` processes."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from application.app import Jaga
from application.calendar import ElectionCalendar
from application.commands.duty import CheckIn
from application.leaves import leaf_bytes
from infrastructure.audit.merkle import MemoryNodeStore, leaf_hash
from infrastructure.audit.note import Verifier
from infrastructure.audit.quorum import compare_notes
from infrastructure.audit.service import AuditService
from infrastructure.settings import Settings
from infrastructure.store import library_env
from interfaces.cli.main import app as cli
from tests.conftest import drop_pg_database, new_pg_database, pg_url
from tests.integration.scenario import FIELD, T0, ctx, jember
from tests.witnesses import log_vkey, witness_process

pytestmark = pytest.mark.drill

ORIGIN = "jaga.example/jatim-2024"
NAMES = ("bawaslu.example/saksi", "kpu.example/saksi")


def open_jaga(url: str) -> Jaga:
    return Jaga(env=library_env(url), calendar=ElectionCalendar.load())


def check_ins(app: Jaga, count: int, first: int = 1) -> None:
    for i in range(count):
        app.run(
            ctx(FIELD),
            CheckIn(
                site_id="kpu-kab-jember",
                personnel_id=f"jbr-{(first + i) % 6 + 1:02d}",
                method="qr",
                occurred_at=T0,
            ),
        )


@pytest.fixture(params=["sqlite", "postgres"])
def store(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Callable[[], str]]:
    """A factory of fresh stores of one kind, all removed afterwards."""
    made: list[str] = []
    if request.param == "postgres" and not request.getfixturevalue("pg_ready"):
        pytest.skip("PostgreSQL is not reachable")

    def make() -> str:
        if request.param == "sqlite":
            return f"sqlite:///{tmp_path / f'jaga{len(made)}.sqlite3'}"
        made.append(new_pg_database("jaga_drill"))
        return pg_url(made[-1])

    yield make
    for name in made:
        drop_pg_database(name)


@pytest.fixture
def witnesses(tmp_path: Path) -> Iterator[list[tuple[Verifier, str]]]:
    """Two witness processes (Bawaslu's, KPU's) that trust this log's key."""
    logs = [log_vkey(tmp_path / "signing.key", ORIGIN)]
    with ExitStack() as stack:
        out = []
        for name in NAMES:
            server, verifier, url = witness_process(
                name, tmp_path, logs, tmp_path / f"{name.split('.')[0]}.log"
            )
            stack.enter_context(server)
            out.append((verifier, url))
        yield out


def settings_for(url: str, tmp_path: Path, witnesses: list[Any]) -> Settings:
    return Settings(
        database_url=url,
        signing_key_file=tmp_path / "signing.key",
        log_origin=ORIGIN,
        witnesses="; ".join(f"{v.vkey} {u}" for v, u in witnesses),
    )


@contextmanager
def owner(url: str, events: str) -> Iterator[Callable[..., list[Any]]]:
    """The database owner, append-only triggers out of the way."""
    guarded = (
        events,
        "jaga_log",
        "jaga_merkle",
        "jaga_checkpoints",
        "jaga_cosignatures",
    )
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'"
            )
        ]
        for name in names:
            conn.execute(f"DROP TRIGGER {name}")

        def run(sql: str, *params: Any) -> list[Any]:
            sql = sql.replace("%s", "?").replace("{id}", "rowid")
            return conn.execute(sql, params).fetchall()

        try:
            yield run
            conn.commit()
        finally:
            conn.close()
        return
    import psycopg

    with psycopg.connect(url, autocommit=True) as pg:
        for table in guarded:
            pg.execute(f"ALTER TABLE {table} DISABLE TRIGGER ALL")

        def run_pg(sql: str, *params: Any) -> list[Any]:
            cur = pg.execute(sql.replace("{id}", "notification_id"), params)
            return cur.fetchall() if cur.description else []

        yield run_pg


def rewrite(app: Jaga, url: str, position: int, old: bytes, new: bytes) -> None:
    """Edits one event, then rebuilds every leaf, the whole tree, and drops the
    checkpoints and cosignatures that vouch for the old history."""
    events = str(app.recorder.events_table_name)  # type: ignore[attr-defined]
    with owner(url, events) as run:
        n = run("SELECT notification_id FROM jaga_log WHERE position = %s", position)
        state = bytes(
            run(f"SELECT state FROM {events} WHERE {{id}} = %s", n[0][0])[0][0]
        )
        assert old in state
        run(
            f"UPDATE {events} SET state = %s WHERE {{id}} = %s",
            state.replace(old, new),
            n[0][0],
        )
    size = app.log.max_position()
    leaves = [
        leaf_hash(leaf_bytes(app.record_of(row)))
        for row in app.log.read_stored(0, size, size)
    ]
    tree = MemoryNodeStore()
    tree.append(leaves)
    with owner(url, events) as run:
        for index, leaf in enumerate(leaves):
            run(
                "UPDATE jaga_log SET leaf_hash = %s WHERE position = %s",
                leaf,
                index + 1,
            )
        run("DELETE FROM jaga_merkle")
        for (level, idx), digest in tree.nodes.items():
            run(
                "INSERT INTO jaga_merkle (level, idx, hash) VALUES (%s, %s, %s)",
                level,
                idx,
                digest,
            )
        run("DELETE FROM jaga_checkpoints")
        run("DELETE FROM jaga_cosignatures")
        run("DELETE FROM jaga_witness_status")


def cli_env(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    monkeypatch.setenv("JAGA_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("JAGA_SIGNING_KEY_FILE", str(settings.signing_key_file))
    monkeypatch.setenv("JAGA_LOG_ORIGIN", ORIGIN)
    monkeypatch.setenv("JAGA_WITNESSES", settings.witnesses)


def test_a_resigned_rewrite_is_refused_by_witnesses_and_verify_names_the_fork(
    store: Callable[[], str],
    witnesses: list[tuple[Verifier, str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = store()
    settings = settings_for(url, tmp_path, witnesses)
    app = open_jaga(url)
    try:
        jember(app)
        check_ins(app, 12)
        audit = AuditService(app, settings)
        assert audit.publish().tree_size == 20
        check_ins(app, 6)
        honest = audit.publish()
        assert len(audit.checkpoint()["cosignatures"]) == 2

        rewrite(app, url, 5, b"Anggota 4", b"Anggota 9")
        check_ins(app, 2)  # the log goes on writing over the rewritten history
        forged = AuditService(app, settings).publish()
        assert forged.tree_size == honest.tree_size + 2
        assert forged.root_hash != honest.root_hash
    finally:
        app.close()
    monkeypatch.chdir(tmp_path)
    cli_env(monkeypatch, settings)
    runner = CliRunner()
    status = runner.invoke(cli, ["checkpoint"])
    answer = json.loads(status.stdout)
    errors = [w["error"] for w in answer["witnesses"]]
    assert all(e and e.startswith("refused (422)") for e in errors), errors
    assert answer["cosignatures"] == []

    # The operator's own signature verifies: alone, it proves nothing here.
    alone = runner.invoke(cli, ["verify"])
    assert alone.exit_code == 0, alone.output
    keys = [x for v, _ in witnesses for x in ("--witness", v.vkey)]
    held = runner.invoke(cli, ["verify", *keys, "--quorum", "2"])
    assert held.exit_code == 1, held.output
    assert f"fork: {', '.join(NAMES)} cosigned root {honest.root_hash.hex()[:16]}" in (
        held.output
    )
    assert f"at size {honest.tree_size}" in held.output
    assert "no single position" in held.output
    for _, witness_url in witnesses:
        refused = httpx.get(f"{witness_url}/refusals", params={"origin": ORIGIN}).json()
        assert [r["kind"] for r in refused["items"]] == ["inconsistent"]


def test_two_histories_of_one_size_shown_to_two_witnesses_are_caught_when_compared(
    store: Callable[[], str],
    witnesses: list[tuple[Verifier, str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = store()
    both = settings_for(url, tmp_path, witnesses)
    app = open_jaga(url)
    try:
        jember(app)
        AuditService(app, both).publish()  # both witnesses cosign size 8
    finally:
        app.close()
    # The operator copies its database and grows each copy its own way.
    if url.startswith("sqlite"):
        copy = f"sqlite:///{tmp_path / 'copy.sqlite3'}"
        shutil.copy(url.removeprefix("sqlite:///"), copy.removeprefix("sqlite:///"))
    else:
        import psycopg

        from tests.conftest import PG_ADMIN_URL

        name = new_pg_database("jaga_drill_copy")
        drop_pg_database(name)
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(
                f'CREATE DATABASE "{name}" TEMPLATE "{url.rsplit("/", 1)[1]}"'
            )
        copy = pg_url(name)
    try:
        for target, first, (verifier, witness_url) in (
            (url, 0, witnesses[0]),
            (copy, 3, witnesses[1]),
        ):
            app = open_jaga(target)
            try:
                check_ins(app, 3, first=first)
                one = replace(
                    both,
                    database_url=target,
                    witnesses=f"{verifier.vkey} {witness_url}",
                )
                cp = AuditService(app, one).publish()
                assert cp.tree_size == 11
            finally:
                app.close()
        log = log_vkey(tmp_path / "signing.key", ORIGIN)
        keys = [v for v, _ in witnesses]
        notes = [
            (
                u,
                __import__("httpx")
                .get(f"{u}/checkpoint", params={"origin": ORIGIN})
                .text,
            )
            for _, u in witnesses
        ]
        result = compare_notes(notes, log, keys)
        assert result.split
        assert [c["tree_size"] for c in result.checkpoints] == [11, 11]
        assert [c["cosigned_by"] for c in result.checkpoints] == [
            [NAMES[0]],
            [NAMES[1]],
        ]

        monkeypatch.chdir(tmp_path)
        runner = CliRunner()
        compared = runner.invoke(
            cli,
            [
                "witness",
                "compare",
                *(u for _, u in witnesses),
                "--log",
                log.vkey,
                *(x for v, _ in witnesses for x in ("--witness", v.vkey)),
            ],
        )
        assert compared.exit_code == 1, compared.output
        assert "SPLIT: the log signed two roots for size 11" in compared.output
        # A verifier with a quorum asks both witnesses and sees the split too.
        cli_env(monkeypatch, both)
        keys_args = [x for v, _ in witnesses for x in ("--witness", v.vkey)]
        held = runner.invoke(cli, ["verify", *keys_args, "--quorum", "2"])
        assert held.exit_code == 1, held.output
        assert "split view at size 11" in held.output
    finally:
        if not copy.startswith("sqlite"):
            drop_pg_database(copy.rsplit("/", 1)[1])
