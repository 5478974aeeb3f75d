"""The audit export over HTTP on both stores: streamed as it is read, capped per
request, and verifiable offline; the CLI leaves no half-written file behind."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from infrastructure.audit.bundle_verify import verify_bundle_bytes
from interfaces.cli.main import app as cli
from interfaces.http import audit as audit_routes
from tests.e2e.conftest import Api
from tests.integration.scenario import jember


def test_export_is_streamed_and_verifies(api: Api) -> None:
    jember(api.state.jaga)
    auditor = api.key("auditor")
    with api.client.stream(
        "GET", "/api/v1/audit/export?from_position=2&to_position=8", headers=auditor
    ) as answer:
        assert answer.status_code == 200
        assert "content-length" not in answer.headers  # sent as it is read
        assert answer.headers["content-type"].startswith("application/x-ndjson")
        data = b"".join(answer.iter_bytes())
    result = verify_bundle_bytes(data)
    assert result.ok and (result.from_position, result.to_position) == (2, 8)


def test_an_export_range_above_the_cap_is_refused_before_any_work(api: Api) -> None:
    jember(api.state.jaga)
    answer = api.client.get(
        "/api/v1/audit/export?from_position=1&to_position=60000",
        headers=api.key("auditor"),
    )
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "export_too_large"
    assert "50000" in answer.json()["error"]["message"]
    in_indonesian = api.client.get(
        "/api/v1/audit/export?from_position=1&to_position=60000",
        headers={**api.key("auditor"), "Accept-Language": "id"},
    )
    assert in_indonesian.json()["error"]["message"].startswith(
        "satu ekspor memuat paling banyak 50000 posisi"
    )


def test_an_export_without_an_end_stops_at_the_cap(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    jember(api.state.jaga)
    monkeypatch.setattr(audit_routes, "MAX_EXPORT", 5)
    answer = api.client.get(
        "/api/v1/audit/export?from_position=2", headers=api.key("auditor")
    )
    assert answer.status_code == 200
    result = verify_bundle_bytes(answer.content)
    assert result.ok and (result.from_position, result.to_position) == (2, 6)


def test_a_bad_range_is_a_422_not_a_broken_stream(api: Api) -> None:
    jember(api.state.jaga)
    answer = api.client.get(
        "/api/v1/audit/export?from_position=5&to_position=40",
        headers=api.key("auditor"),
    )
    assert answer.status_code == 422
    assert "to_position" in answer.text


def test_verify_over_http_answers_the_log_size(api: Api) -> None:
    jember(api.state.jaga)
    answer = api.client.post("/api/v1/audit/verify", headers=api.key("auditor"))
    assert answer.json()["ok"] is True and answer.json()["tree_size"] == 8


def test_a_failed_cli_export_leaves_no_file(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JAGA_DATABASE_URL", store_url)
    monkeypatch.setenv("JAGA_SIGNING_KEY_FILE", str(tmp_path / "k.pem"))
    runner = CliRunner()
    assert runner.invoke(cli, ["keys", "signing-init"]).exit_code == 0
    assert runner.invoke(cli, ["demo"]).exit_code == 0
    bad = runner.invoke(cli, ["export", "--from", "3", "--to", "9999", "b.jsonl"])
    assert bad.exit_code == 2 and "to_position" in bad.output
    assert sorted(p.name for p in tmp_path.iterdir() if "b.jsonl" in p.name) == []
    good = runner.invoke(cli, ["export", "--from", "3", "--to", "40", "b.jsonl"])
    assert good.exit_code == 0, good.output
    assert verify_bundle_bytes((tmp_path / "b.jsonl").read_bytes()).ok
