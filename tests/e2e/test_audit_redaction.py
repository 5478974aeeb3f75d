"""The audit log as Bawaslu reads it, on both stores: covert sites' guards and every
ID number as commitments only, the same leaves, proofs and bundles verifying; the
full view's values checked against their commitments, offline."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from application.commands.reference import RegisterPersonnel, RegisterUnit
from application.writes import SYSTEM, Context
from infrastructure.audit.bundle_verify import verify_bundle_bytes
from interfaces.cli.main import app as cli
from tests.e2e.conftest import Api
from tests.e2e.test_writes_over_http import jember

T = "2024-01-03T07:00:00+07:00"
OKU = "/api/v1/sites/kpu-kab-oku"
# Who guards the covert site; the registry (visible to Bawaslu) names them, an
# event at the covert site never does.
GUARDS = (b"oku-07", b"satgas-oku")
ENVELOPE = {"actor", "client_id", "idempotency_key", "correlation_id"}
ID_NUMBERS = b"NRP-"


def guarded_covert_site(api: Api) -> dict[str, int]:
    """An overt and a covert site; the covert one guarded by a unit and a person
    named nowhere else, its shift corrected; returns the positions that matter."""
    jember(api)
    app, ctx = api.state.jaga, Context(SYSTEM)
    app.run(
        ctx,
        RegisterUnit(
            unit_id="satgas-oku",
            name="Satgas",
            kind="polri",
            province="sumatera-selatan",
            regency="kab-oku",
        ),
    )
    app.run(
        ctx,
        RegisterPersonnel(
            personnel_id="oku-07",
            id_number="NRP-88020002",
            name="Bripka Tujuh",
            unit_id="satgas-oku",
        ),
    )
    # The device's key is named for who holds it, as field devices are.
    _, secret = api.state.keys.create("ops", "HP oku-07 · satgas-oku", None)
    ops = {"Authorization": f"Bearer {secret}"}
    started = api.client.post(
        f"{OKU}/shifts",
        headers={**ops, "Idempotency-Key": "hp-oku-07:shift:0001"},
        json={
            "unit_id": "satgas-oku",
            "commander_id": "oku-07",
            "roster": ["oku-07"],
            "occurred_at": T,
        },
    ).json()
    checked = api.client.post(
        f"{OKU}/check-ins",
        headers=ops,
        json={"personnel_id": "oku-07", "method": "qr", "occurred_at": T},
    ).json()
    fixed = api.client.post(
        "/api/v1/corrections",
        headers=ops,
        json={
            "event_id": started["event_id"],
            "reason": "roster salah input",
            "changes": {"roster": ["oku-07"]},
        },
    ).json()
    api.caught_up()
    return {
        "started": started["position"],
        "checked": checked["position"],
        "fixed": fixed["position"],
        "end": fixed["position"],
    }


def export(api: Api, role: str, end: int) -> bytes:
    answer = api.client.get(
        f"/api/v1/audit/export?from_position=1&to_position={end}",
        headers=api.key(role),
    )
    assert answer.status_code == 200, answer.text
    return answer.content


def events(bundle: bytes) -> dict[int, dict[str, Any]]:
    lines = [json.loads(line) for line in bundle.splitlines()]
    return {o["position"]: o for o in lines if o["kind"] == "event"}


def test_bawaslus_export_holds_no_covert_guard_or_id_number_and_verifies(
    api: Api,
) -> None:
    at = guarded_covert_site(api)
    raw = export(api, "bawaslu", at["end"])
    assert ID_NUMBERS not in raw
    for line in raw.splitlines():
        if json.loads(line).get("position") in (
            at["started"],
            at["checked"],
            at["fixed"],
        ):
            for guard in GUARDS:
                assert guard not in line, (guard, line)
    result = verify_bundle_bytes(raw)
    assert result.ok, result.reason
    assert result.withheld > 0
    header = json.loads(raw.splitlines()[0])
    assert header["redacted"] is True
    shift = events(raw)[at["started"]]["record"]
    assert set(shift["commitments"]) == {"unit_id", "commander_id", "roster", *ENVELOPE}
    assert (
        "roster" not in shift["data"]
        and "actor" not in shift
        and "salts" not in str(shift["meta"]["salts"])
    )
    correction = events(raw)[at["fixed"]]["record"]
    assert "changes.roster" in correction["commitments"]
    assert correction["data"]["changes"] == {}
    # The overt site's registration stays as it is, its ID number hidden.
    full = export(api, "auditor", at["end"])
    assert verify_bundle_bytes(full).ok
    for position, line in events(full).items():
        assert line["leaf_hash"] == events(raw)[position]["leaf_hash"]
        assert line["canonical"] == events(raw)[position]["canonical"]


def test_full_view_reveals_values_each_checked_against_its_commitment(
    api: Api,
) -> None:
    at = guarded_covert_site(api)
    full = export(api, "auditor", at["end"])
    assert b"NRP-88020002" in full and b"oku-07" in full
    result = verify_bundle_bytes(full)
    assert result.ok and result.revealed > 0 and result.withheld == 0
    assert json.loads(full.splitlines()[0])["redacted"] is False
    # A revealed value changed, its salt and the leaf left: named by field.
    lines = full.splitlines()
    for n, line in enumerate(lines):
        obj = json.loads(line)
        if obj.get("position") == at["started"]:
            obj["record"]["data"]["roster"] = ["jbr-01"]
            lines[n] = json.dumps(obj).encode()
    tampered = verify_bundle_bytes(b"\n".join(lines))
    assert not tampered.ok and tampered.first_bad_position == at["started"]
    assert tampered.reason is not None and "roster" in tampered.reason
    # A correction's revealed change is checked the same way.
    lines = full.splitlines()
    for n, line in enumerate(lines):
        obj = json.loads(line)
        if obj.get("position") == at["fixed"]:
            obj["record"]["data"]["changes"]["roster"] = ["jbr-01"]
            lines[n] = json.dumps(obj).encode()
    tampered = verify_bundle_bytes(b"\n".join(lines))
    assert not tampered.ok and tampered.first_bad_position == at["fixed"]
    assert tampered.reason is not None and "changes.roster" in tampered.reason


def test_bawaslus_leaf_and_proofs_match_the_full_view(api: Api) -> None:
    at = guarded_covert_site(api)
    bawaslu, auditor = api.key("bawaslu"), api.key("auditor")
    for position in range(1, at["end"] + 1):
        seen = api.client.get(f"/api/v1/audit/leaves/{position}", headers=bawaslu)
        full = api.client.get(f"/api/v1/audit/leaves/{position}", headers=auditor)
        assert seen.status_code == full.status_code == 200
        assert ID_NUMBERS not in seen.content
        if position in (at["started"], at["checked"], at["fixed"]):
            for guard in GUARDS:
                assert guard not in seen.content, (position, guard)
        assert seen.json()["leaf"] == full.json()["leaf"]
        assert seen.json()["leaf_hash"] == full.json()["leaf_hash"]
        # The leaf bytes hold commitments only, never the values.
        assert ID_NUMBERS not in base64.b64decode(seen.json()["leaf"])
    shift = api.client.get(
        f"/api/v1/audit/leaves/{at['started']}", headers=bawaslu
    ).json()["event"]
    assert shift["data"]["site_id"] == "kpu-kab-oku"
    assert set(shift["commitments"]) == {"unit_id", "commander_id", "roster", *ENVELOPE}
    proof = f"/api/v1/audit/proofs/inclusion?position={at['checked']}"
    proof += f"&tree_size={at['end']}"
    assert (
        api.client.get(proof, headers=bawaslu).json()
        == api.client.get(proof, headers=auditor).json()
    )


def test_cli_export_for_bawaslu_verifies_and_holds_no_id_number(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JAGA_DATABASE_URL", store_url)
    monkeypatch.setenv("JAGA_SIGNING_KEY_FILE", str(tmp_path / "k.pem"))
    runner = CliRunner()
    assert runner.invoke(cli, ["keys", "signing-init"]).exit_code == 0
    assert runner.invoke(cli, ["demo"]).exit_code == 0
    assert runner.invoke(cli, ["project"]).exit_code == 0
    done = runner.invoke(cli, ["export", "--bawaslu", "b.jsonl"])
    assert done.exit_code == 0, done.output
    raw = (tmp_path / "b.jsonl").read_bytes()
    assert b"DEMO-" not in raw
    assert verify_bundle_bytes(raw).ok
    full = runner.invoke(cli, ["export", "f.jsonl"])
    assert full.exit_code == 0, full.output
    assert b"DEMO-" in (tmp_path / "f.jsonl").read_bytes()
    checked = runner.invoke(cli, ["verify", "b.jsonl"])
    assert checked.exit_code == 0, checked.output


def test_bawaslus_export_withholds_a_covert_sites_photo_and_verifies(api: Api) -> None:
    from tests.e2e.test_evidence_events import upload
    from tests.evidence import photo

    jember(api)
    ops = api.key("ops")
    seal = upload(api, ops, photo(colour=(10, 20, 30)))
    made = api.client.post(
        f"{OKU}/seals",
        headers=ops,
        json={
            "seal_numbers": ["KPU-OKU-01"],
            "status": "broken",
            "occurred_at": T,
            "attachments": [seal],
        },
    )
    assert made.status_code == 201, made.text
    api.caught_up()
    url = "/api/v1/audit/export?attachments=true"
    raw = api.client.get(url, headers=api.key("bawaslu")).content
    files = [json.loads(x) for x in raw.splitlines() if b'"attachment"' in x]
    assert files == [{"kind": "attachment", **seal, "withheld": True}]
    assert verify_bundle_bytes(raw).ok
    full = api.client.get(url, headers=api.key("auditor")).content
    result = verify_bundle_bytes(full)
    assert result.ok and result.attachments == 1
    # Only a redacted bundle may withhold a file.
    withheld = raw.replace(b'"redacted": true', b'"redacted": false')
    assert not verify_bundle_bytes(withheld).ok


def test_bawaslus_reports_check_against_its_bundle_or_say_why_not(api: Api) -> None:
    from infrastructure.reports import check

    at = guarded_covert_site(api)
    bawaslu = api.key("bawaslu")
    day = T[:10]
    reports = {
        site: api.client.get(
            f"/api/v1/reports/daily?site_id={site}&date={day}", headers=bawaslu
        ).json()
        for site in ("kpu-kab-jember", "kpu-kab-oku")
    }
    redacted = export(api, "bawaslu", at["end"])
    full = export(api, "auditor", at["end"])
    # An overt site's report is rebuilt from the redacted bundle alone.
    assert check(reports["kpu-kab-jember"], redacted) == []
    # A covert site's counts its guards, which that bundle withholds.
    problems = check(reports["kpu-kab-oku"], redacted)
    assert len(problems) == 1 and "withholds" in problems[0]
    assert check(reports["kpu-kab-oku"], full) == []
