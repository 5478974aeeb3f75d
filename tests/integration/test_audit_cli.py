"""The auditor's commands end to end, and the PostgreSQL role the server runs as."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

from application.app import Jaga
from application.commands.reference import RegisterUnit
from infrastructure.audit.migrations import grant_app_role
from infrastructure.audit.service import AuditService
from infrastructure.settings import Settings
from infrastructure.store import library_env
from interfaces.cli.main import app
from tests.integration.scenario import T0, ctx, jember


@pytest.fixture
def env(store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JAGA_DATABASE_URL", store_url)
    monkeypatch.setenv("JAGA_SIGNING_KEY_FILE", str(tmp_path / "signing.key"))
    monkeypatch.setenv("JAGA_LOG_ORIGIN", "jaga.example/jatim-2024")
    return tmp_path


def test_export_then_verify_offline_passes_and_an_edit_fails(env: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["keys", "signing-init"]).exit_code == 0
    assert runner.invoke(app, ["demo"]).exit_code == 0
    out = runner.invoke(app, ["export", "--from", "20", "--to", "60", "b.jsonl"])
    assert out.exit_code == 0, out.output
    live = runner.invoke(app, ["verify"])
    assert live.exit_code == 0 and "OK: live store" in live.output
    bundle = env / "b.jsonl"
    ok = runner.invoke(app, ["verify", str(bundle)], env={"JAGA_DATABASE_URL": "x:"})
    assert ok.exit_code == 0, ok.output
    assert "positions 20..60" in ok.output
    lines = bundle.read_bytes().splitlines(keepends=True)
    lines[5 + 11] = lines[5 + 11].replace(b'"position": 31', b'"position": 30')
    bundle.write_bytes(b"".join(lines))
    bad = runner.invoke(app, ["verify", str(bundle)])
    assert bad.exit_code == 1
    assert "first bad position 31" in bad.output


def test_bad_range_is_a_clear_error_not_a_crash(env: Path) -> None:
    runner = CliRunner()
    runner.invoke(app, ["keys", "signing-init"])
    runner.invoke(app, ["demo"])
    out = runner.invoke(app, ["export", "--from", "5", "--to", "4", "b.jsonl"])
    assert out.exit_code == 2
    assert "from_position" in out.output


def test_app_role_writes_and_audits_but_cannot_rewrite_history(
    store_url: str,
    tmp_path: Path,
) -> None:
    if store_url.startswith("sqlite"):
        pytest.skip("roles are a PostgreSQL feature")
    import psycopg

    owner_app = Jaga(env=library_env(store_url))
    role = f"jaga_app_{uuid.uuid4().hex[:8]}"
    settings = Settings(signing_key_file=tmp_path / "k.pem")
    try:
        jember(owner_app)
        AuditService(owner_app, settings).checkpoint()
        grant_app_role(owner_app.recorder, role)
        role_url = store_url.replace("postgres@", f"{role}@", 1)
        as_app = Jaga(env={**library_env(role_url), "CREATE_TABLE": "no"})
        try:
            as_app.run(
                ctx(),
                RegisterUnit(
                    unit_id="kodim-0824",
                    name="Kodim 0824/Jember",
                    kind="tni",
                    occurred_at=T0,
                ),
            )
            audit = AuditService(as_app, settings)
            assert audit.checkpoint()["tree_size"] == 9
            assert audit.verify()["ok"] is True
        finally:
            as_app.close()
        with psycopg.connect(role_url, autocommit=True) as pg:
            for sql in (
                "UPDATE jaga_events SET topic = topic",
                "DELETE FROM jaga_log",
                "TRUNCATE jaga_merkle",
                "DROP TABLE jaga_checkpoints",
                "ALTER TABLE jaga_events DISABLE TRIGGER ALL",
                "DROP TRIGGER jaga_log_append_only ON jaga_log",
            ):
                with pytest.raises(psycopg.Error):
                    pg.execute(sql)
    finally:
        owner_app.close()
        with psycopg.connect(store_url, autocommit=True) as pg:
            if pg.execute(
                "SELECT 1 FROM pg_roles WHERE rolname = %s", [role]
            ).fetchone():
                pg.execute(f"DROP OWNED BY {role}")
                pg.execute(f"DROP ROLE {role}")
