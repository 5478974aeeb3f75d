"""Commands that read a log refuse when there is none where the settings point, and
no command makes a signing key on its own."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from infrastructure.store.presence import log_exists
from interfaces.cli.main import app


@pytest.fixture
def env(store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JAGA_DATABASE_URL", store_url)
    monkeypatch.setenv("JAGA_SIGNING_KEY_FILE", str(tmp_path / "signing.key"))
    monkeypatch.setenv("JAGA_LANG", "en")
    return tmp_path


@pytest.mark.parametrize(
    "args",
    [
        ["verify"],
        ["checkpoint"],
        ["export", "b.jsonl"],
        ["rebuild"],
        ["project"],
        ["events"],
        ["leaf", "1"],
    ],
)
def test_reading_commands_refuse_where_there_is_no_log(
    env: Path, store_url: str, args: list[str]
) -> None:
    out = CliRunner().invoke(app, args)
    assert out.exit_code == 2, out.output
    assert "no log at" in out.output and "JAGA_DATABASE_URL" in out.output
    assert not log_exists(store_url)  # nothing was created to answer about
    assert not (env / "signing.key").exists()
    assert not (env / "b.jsonl").exists()


def test_refusal_is_said_in_indonesian_to_an_indonesian_terminal(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JAGA_LANG", "id")
    out = CliRunner().invoke(app, ["verify"])
    assert out.exit_code == 2
    assert "tidak ada log" in out.output


def test_checkpoint_without_a_key_says_how_to_make_one_and_makes_none(
    env: Path,
) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["demo"]).exit_code == 0
    out = runner.invoke(app, ["checkpoint"])
    assert out.exit_code == 2, out.output
    assert "no signing key at" in out.output
    assert "jaga keys signing-init" in out.output
    assert not (env / "signing.key").exists()
    # The live store verifies without a key; after signing-init, checkpoints work.
    assert runner.invoke(app, ["verify"]).exit_code == 0
    assert runner.invoke(app, ["keys", "signing-init"]).exit_code == 0
    signed = runner.invoke(app, ["checkpoint"])
    assert signed.exit_code == 0, signed.output
    assert '"tree_size"' in signed.output
