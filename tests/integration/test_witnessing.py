"""Witnessed checkpoints on both stores: every new checkpoint taken to two real
witnesses over HTTP, their cosignatures kept and served, a witness that is down
shown and retried, and `jaga verify` with a quorum, live and on a bundle."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from application.app import Jaga
from application.calendar import ElectionCalendar
from application.commands.duty import CheckIn
from infrastructure.audit.bundle_verify import verify_bundle_bytes
from infrastructure.audit.service import AuditService
from infrastructure.settings import Settings
from infrastructure.store import library_env
from interfaces.cli.main import app as cli
from tests import c2sp_reference as ref
from tests.integration.scenario import FIELD, T0, ctx, jember
from tests.witnesses import ThreadedWitness, log_vkey

ORIGIN = "jaga.example/jatim-2024"


def check_ins(app: Jaga, count: int) -> None:
    for i in range(count):
        app.run(
            ctx(FIELD),
            CheckIn(
                site_id="kpu-kab-jember",
                personnel_id=f"jbr-{i % 6 + 1:02d}",
                method="qr",
                occurred_at=T0,
            ),
        )


@pytest.fixture
def settings(store_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=store_url,
        signing_key_file=tmp_path / "signing.key",
        log_origin=ORIGIN,
    )


@pytest.fixture
def pair(settings: Settings, tmp_path: Path) -> Iterator[list[ThreadedWitness]]:
    """Two witnesses that trust this log: Bawaslu's and a university's."""
    logs = [log_vkey(settings.signing_key_file, ORIGIN)]
    witnesses = [
        ThreadedWitness(name, tmp_path, logs).start()
        for name in ("bawaslu.example/saksi", "ugm.example/saksi")
    ]
    yield witnesses
    for w in witnesses:
        w.stop()


@pytest.fixture
def witnessed(
    jaga: Jaga, settings: Settings, pair: list[ThreadedWitness]
) -> AuditService:
    jember(jaga)
    entries = "; ".join(w.entry for w in pair)
    return AuditService(jaga, replace(settings, witnesses=entries))


def vkeys(service: AuditService, pair: list[ThreadedWitness]) -> list[str]:
    return [service.verifier.vkey, *(w.verifier.vkey for w in pair)]


def test_each_new_checkpoint_is_cosigned_by_both_witnesses_and_served_as_one_note(
    witnessed: AuditService, jaga: Jaga, pair: list[ThreadedWitness]
) -> None:
    first = witnessed.publish()
    answer = witnessed.checkpoint()
    assert answer["tree_size"] == first.tree_size == 8
    assert sorted(c["witness"] for c in answer["cosignatures"]) == [
        "bawaslu.example/saksi",
        "ugm.example/saksi",
    ]
    text, found = ref.open_note(answer["signed_note"], vkeys(witnessed, pair))
    assert text == answer["note"] and set(found) == {ORIGIN, *(w.name for w in pair)}
    check_ins(jaga, 5)
    second = witnessed.publish()  # from size 8 to 13, with a consistency proof
    assert second.tree_size == 13
    for w in pair:
        assert ref.checkpoint_lines(w.latest(ORIGIN))[1] == 13
    statuses = witnessed.checkpoint()["witnesses"]
    assert [(s["cosigned_size"], s["error"]) for s in statuses] == [(13, None)] * 2


def test_a_witness_that_is_down_is_shown_then_retried_without_failing_the_log(
    witnessed: AuditService, jaga: Jaga, pair: list[ThreadedWitness]
) -> None:
    witnessed.publish()
    pair[1].stop()
    check_ins(jaga, 2)
    cp = witnessed.publish()  # must not raise
    status = {s["name"]: s for s in witnessed.checkpoint()["witnesses"]}
    down = status["ugm.example/saksi"]
    assert down["error"].startswith("unreachable") and down["failures"] == 1
    assert down["cosigned_size"] == 8
    assert [c["witness"] for c in witnessed.checkpoint()["cosignatures"]] == [
        "bawaslu.example/saksi"
    ]
    pair[1].start()  # back, with its own state: it last cosigned 8
    witnessed.publish()
    back = {s["name"]: s for s in witnessed.checkpoint()["witnesses"]}
    assert back["ugm.example/saksi"]["error"] is None
    assert back["ugm.example/saksi"]["cosigned_size"] == cp.tree_size


def test_the_timer_takes_checkpoints_to_the_witnesses_in_the_background(
    witnessed: AuditService, jaga: Jaga
) -> None:
    import time

    witnessed.start_timer(30)  # woken by a read that finds an uncosigned checkpoint
    try:
        witnessed.checkpoint()
        deadline = time.monotonic() + 10
        while len(witnessed.checkpoint()["cosignatures"]) < 2:
            assert time.monotonic() < deadline, "the timer did not submit"
            time.sleep(0.05)
    finally:
        witnessed.stop_timer()


def test_two_processes_publishing_the_same_checkpoint_both_succeed(
    witnessed: AuditService, jaga: Jaga, store_url: str, settings: Settings
) -> None:
    other_app = Jaga(env=library_env(store_url), calendar=ElectionCalendar.load())
    try:
        entries = "; ".join(
            f"{e.verifier.vkey} {e.url}" for e in witnessed.witnessing.endpoints
        )
        other = AuditService(other_app, replace(settings, witnesses=entries))
        outcomes: list[dict[str, str]] = []
        errors: list[BaseException] = []

        def publish(service: AuditService) -> None:
            try:
                cp = service.publish()
                outcomes.append(service.witnessing.submit(cp))
            except BaseException as exc:
                errors.append(exc)

        threads = [
            threading.Thread(target=publish, args=(s,)) for s in (witnessed, other)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert all(set(o.values()) == {"cosigned"} for o in outcomes)
        assert len(witnessed.checkpoint()["cosignatures"]) == 2
        assert [c["tree_size"] for c in witnessed.checkpoints()] == [8]
    finally:
        other_app.close()


def test_verify_with_a_quorum_of_two_passes_live_and_on_a_bundle(
    witnessed: AuditService,
    jaga: Jaga,
    pair: list[ThreadedWitness],
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    check_ins(jaga, 4)
    witnessed.publish()
    monkeypatch.chdir(tmp_path)
    for name, value in (
        ("JAGA_DATABASE_URL", settings.database_url),
        ("JAGA_SIGNING_KEY_FILE", str(settings.signing_key_file)),
        ("JAGA_LOG_ORIGIN", ORIGIN),
        ("JAGA_WITNESSES", "; ".join(w.entry for w in pair)),
    ):
        monkeypatch.setenv(name, value)
    keys = [x for w in pair for x in ("--witness", w.verifier.vkey)]
    runner = CliRunner()
    live = runner.invoke(cli, ["verify", *keys, "--quorum", "2"])
    assert live.exit_code == 0, live.output
    assert "cosigned by bawaslu.example/saksi, ugm.example/saksi" in live.output
    check_ins(jaga, 3)  # newer events, not yet witnessed: the export stops before
    out = runner.invoke(cli, ["export", "--from", "3", "b.jsonl"])
    assert out.exit_code == 0, out.output
    assert "positions 3..12" in out.output
    bundle = runner.invoke(cli, ["verify", "b.jsonl", *keys, "--quorum", "2"])
    assert bundle.exit_code == 0, bundle.output
    stranger = ThreadedWitness("kpu.example/saksi", tmp_path, []).verifier.vkey
    three = runner.invoke(
        cli, ["verify", "b.jsonl", *keys, "--witness", stranger, "--quorum", "3"]
    )
    assert three.exit_code == 1
    assert "2 of the 3 cosignatures needed" in three.output
    assert "kpu.example/saksi" in three.output
    too_many = runner.invoke(cli, ["verify", "b.jsonl", *keys, "--quorum", "3"])
    assert too_many.exit_code == 2


def test_a_bundle_with_one_cosignature_fails_a_quorum_of_two(
    jaga: Jaga, settings: Settings, pair: list[ThreadedWitness]
) -> None:
    jember(jaga)
    only_one = AuditService(jaga, replace(settings, witnesses=pair[0].entry))
    only_one.publish()
    data = only_one.export_bundle(1, 8)
    keys = [w.verifier for w in pair]
    assert verify_bundle_bytes(data, witnesses=keys[:1], quorum=1).ok
    result = verify_bundle_bytes(data, witnesses=keys, quorum=2)
    assert not result.ok and "not cosigned by ugm.example/saksi" in (
        result.reason or ""
    )
    lines = data.splitlines(keepends=True)
    checkpoint = json.loads(lines[1])
    cosig = checkpoint["cosignatures"][0]
    flipped = cosig[:-6] + ("A" if cosig[-6] != "A" else "B") + cosig[-5:]
    checkpoint["cosignatures"] = [flipped]
    lines[1] = json.dumps(checkpoint, ensure_ascii=False).encode() + b"\n"
    broken = verify_bundle_bytes(b"".join(lines), witnesses=keys[:1], quorum=1)
    assert not broken.ok
    assert broken.reason == "the cosignature of bawaslu.example/saksi does not verify"


def test_the_public_feed_serves_the_latest_witnessed_checkpoint_without_a_key(
    settings: Settings, pair: list[ThreadedWitness], jaga: Jaga
) -> None:
    from interfaces.http.app import create_app

    jember(jaga)
    configured = replace(settings, witnesses="; ".join(w.entry for w in pair))
    with TestClient(create_app(configured, checkpoint_interval=3600)) as client:
        before = client.get("/api/v1/public/checkpoint")
        assert before.status_code == 404
        assert before.json()["error"]["code"] == "not_witnessed"
        client.app.state.audit.publish()  # type: ignore[attr-defined]
        feed = client.get("/api/v1/public/checkpoint")
        assert feed.status_code == 200
        assert feed.headers["content-type"].startswith("text/plain")
        service = client.app.state.audit  # type: ignore[attr-defined]
        _, found = ref.open_note(feed.text, vkeys(service, pair))
        assert len(found) == 3
        as_json = client.get("/api/v1/public/checkpoint", params={"format": "json"})
        assert as_json.json()["tree_size"] == 8 and "witnesses" not in as_json.json()
        assert client.get("/api/v1/public/checkpoint?quorum=3").status_code == 404
        assert client.get("/api/v1/audit/checkpoint").status_code == 401


def test_a_checkpoint_overtaken_by_a_newer_cosigned_one_is_no_error(
    witnessed: AuditService, jaga: Jaga
) -> None:
    witnessed.publish()
    check_ins(jaga, 3)
    stale = witnessed.latest_checkpoint(issue=True)  # issued, not yet taken
    check_ins(jaga, 2)
    assert witnessed.publish().tree_size == 13  # another process got there first
    outcomes = witnessed.witnessing.submit(stale)
    assert set(outcomes.values()) == {"cosigned a newer checkpoint"}
    assert [w["error"] for w in witnessed.checkpoint()["witnesses"]] == [None, None]
