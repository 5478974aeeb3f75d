"""`jaga backup` and `jaga restore`: the whole log to a file and back into an empty
store, with the same positions, leaves, Merkle nodes, root and views."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from infrastructure.settings import Settings
from infrastructure.views.rebuild import contents, discard, rebuild
from infrastructure.views.store import ViewStore
from infrastructure.wiring import open_app
from interfaces.cli.main import app
from tests.conftest import drop_pg_database, new_pg_database, pg_url


@pytest.fixture
def env(store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JAGA_DATABASE_URL", store_url)
    monkeypatch.setenv("JAGA_SIGNING_KEY_FILE", str(tmp_path / "signing.key"))
    monkeypatch.setenv("JAGA_LANG", "en")
    runner = CliRunner()
    assert runner.invoke(app, ["keys", "signing-init"]).exit_code == 0
    assert runner.invoke(app, ["demo"]).exit_code == 0
    return tmp_path


def _size(url: str) -> int:
    jaga = open_app(Settings(database_url=url))
    try:
        return jaga.log.max_position()
    finally:
        jaga.close()


@pytest.fixture
def empty_store(store_url: str, tmp_path: Path) -> Iterator[str]:
    """A second, empty store of the same kind."""
    if store_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = new_pg_database()
    try:
        yield pg_url(name)
    finally:
        drop_pg_database(name)


def _log(url: str) -> tuple[list[Any], list[Any]]:
    """Every stored event with its position and leaf, and every Merkle node."""
    jaga = open_app(Settings(database_url=url))
    try:
        rows = jaga.recorder.read_stored(0, 100_000)
        events = [
            (
                r["position"],
                str(r["originator_id"]),
                r["originator_version"],
                bytes(r["state"]),
                bytes(r["leaf_hash"]),
            )
            for r in rows
        ]
        with jaga.recorder.datastore.transaction(commit=False) as c:
            c.execute("SELECT level, idx, hash FROM jaga_merkle ORDER BY level, idx")
            nodes = [(r["level"], r["idx"], bytes(r["hash"])) for r in c.fetchall()]
    finally:
        jaga.close()
    return events, nodes


def _views(url: str, rebuilt: bool) -> dict[str, Any]:
    jaga = open_app(Settings(database_url=url))
    try:
        store = ViewStore(jaga)
        if not rebuilt:
            return contents(store)
        built = rebuild(store, swap=False, until=jaga.log.max_position())
        try:
            return contents(store, built.generations)
        finally:
            discard(store, built)
    finally:
        jaga.close()


def test_restore_gives_back_the_same_log_tree_root_and_views(
    env: Path, store_url: str, empty_store: str
) -> None:
    runner = CliRunner()
    n = _size(store_url)
    made = runner.invoke(app, ["backup", "log.backup"])
    assert made.exit_code == 0, made.output
    assert f"backed up {n} events" in made.output
    # A backup is a bundle anyone can verify offline.
    offline = runner.invoke(app, ["verify", "log.backup"])
    assert offline.exit_code == 0 and f"positions 1..{n}" in offline.output
    done = runner.invoke(
        app, ["restore", "log.backup"], env={"JAGA_DATABASE_URL": empty_store}
    )
    assert done.exit_code == 0, done.output
    assert f"restored {n} events" in done.output
    assert _log(empty_store) == _log(store_url)  # positions, bytes, leaves, nodes
    assert _views(empty_store, rebuilt=False) == _views(store_url, rebuilt=True)
    live = runner.invoke(app, ["verify"], env={"JAGA_DATABASE_URL": empty_store})
    assert live.exit_code == 0 and f"tree size {n}" in live.output
    # The restored log is held to the backup's signed checkpoint.
    cp = runner.invoke(app, ["checkpoint"], env={"JAGA_DATABASE_URL": empty_store})
    assert json.loads(cp.output)["tree_size"] == n


def test_restore_refuses_a_store_that_is_not_empty(env: Path, store_url: str) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["backup", "log.backup"]).exit_code == 0
    before = _log(store_url)
    refused = runner.invoke(app, ["restore", "log.backup"])
    assert refused.exit_code == 2
    assert f"already holds {_size(store_url)} events" in refused.output
    assert _log(store_url) == before


def _edit_event(path: Path, position: int, change: Any) -> None:
    lines = path.read_bytes().splitlines(keepends=True)
    for i, line in enumerate(lines):
        obj = json.loads(line)
        if obj.get("kind") == "event" and obj["position"] == position:
            change(obj)
            lines[i] = json.dumps(obj, sort_keys=True).encode() + b"\n"
    path.write_bytes(b"".join(lines))


def test_a_backup_whose_stored_bytes_were_changed_restores_nothing(
    env: Path, empty_store: str
) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["backup", "log.backup"]).exit_code == 0

    def swap_bytes(obj: dict[str, Any]) -> None:
        # Stored bytes that decode to another event, the verified record kept.
        state = json.loads(base64.b64decode(obj["stored"]["state"]))
        field = next(
            k for k, v in state.items() if isinstance(v, str) and "topic" not in k
        )
        state[field] += " (diubah)"
        obj["stored"]["state"] = base64.b64encode(json.dumps(state).encode()).decode()

    _edit_event(env / "log.backup", 42, swap_bytes)
    refused = runner.invoke(
        app, ["restore", "log.backup"], env={"JAGA_DATABASE_URL": empty_store}
    )
    assert refused.exit_code == 2, refused.output
    assert "stored bytes" in refused.output
    assert _log(empty_store) == ([], [])


def test_a_backup_that_does_not_verify_restores_nothing(
    env: Path, empty_store: str
) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["backup", "log.backup"]).exit_code == 0

    def edit(obj: dict[str, Any]) -> None:
        obj["record"]["recorded_at"] = "2024-11-27T00:00:00+00:00"

    _edit_event(env / "log.backup", 7, edit)
    refused = runner.invoke(
        app, ["restore", "log.backup"], env={"JAGA_DATABASE_URL": empty_store}
    )
    assert refused.exit_code == 1
    assert "does not verify (position 7)" in refused.output
    assert _log(empty_store) == ([], [])
