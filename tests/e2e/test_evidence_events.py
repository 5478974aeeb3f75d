"""Events that name evidence: an incident with two photos, readable under the rules
of the incident; a covert site's photo refused to Bawaslu; references checked
against the uploads; a bundle carrying the photos verified offline. Both stores."""

from __future__ import annotations

import base64
import json
from typing import Any

from infrastructure.audit.bundle_verify import verify_bundle_bytes
from tests.e2e.conftest import Api
from tests.e2e.test_writes_over_http import jember
from tests.evidence import pdf, photo

T = "2024-11-27T09:30:00+07:00"


def upload(api: Api, key: dict[str, str], data: bytes) -> dict[str, Any]:
    answer = api.client.post(
        "/api/v1/attachments", headers=key, files={"file": ("f", data)}
    )
    assert answer.status_code in (200, 201), answer.text
    found: dict[str, Any] = answer.json()
    return {k: found[k] for k in ("sha256", "size", "type")}


def report(api: Api, key: dict[str, str], site: str, files: list[Any]) -> Any:
    return api.client.post(
        "/api/v1/incidents",
        headers=key,
        json={
            "category": "logistics_damage",
            "severity": 3,
            "site_id": site,
            "description": "Segel pintu gudang rusak",
            "occurred_at": T,
            "attachments": files,
        },
    )


def test_an_incident_names_two_photos_that_its_readers_can_open(api: Api) -> None:
    jember(api)
    ops = api.key("ops")
    first = upload(api, ops, photo(colour=(200, 0, 0), taken_at="2024:11:27 09:29:00"))
    second = upload(api, ops, photo("PNG", colour=(0, 200, 0)))
    made = report(api, ops, "kpu-kab-jember", [first, second])
    assert made.status_code == 201, made.text
    api.caught_up()
    incident = api.client.get(f"/api/v1/incidents/{made.json()['id']}", headers=ops)
    assert incident.json()["history"][0]["data"]["attachments"] == [first, second]
    for role in ("ops", "auditor", "bawaslu", "field"):
        key = api.key(role)
        got = api.client.get(f"/api/v1/attachments/{second['sha256']}", headers=key)
        assert got.status_code == 200, (role, got.text)
        assert got.headers["content-type"] == "image/png"
        meta = api.client.get(
            f"/api/v1/attachments/{first['sha256']}/meta", headers=key
        ).json()
        assert meta["taken_at"] == "2024-11-27T09:29:00"
        assert [r["type"] for r in meta["referenced_by"]] == ["IncidentReported"]
    outside = api.key("ops", "sumatera-selatan")
    assert (
        api.client.get(
            f"/api/v1/attachments/{first['sha256']}", headers=outside
        ).status_code
        == 403
    )


def test_bawaslu_is_refused_a_covert_sites_photo(api: Api) -> None:
    jember(api)
    ops = api.key("ops")
    seal = upload(api, ops, photo(colour=(10, 20, 30)))
    made = api.client.post(
        "/api/v1/sites/kpu-kab-oku/seals",
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
    url = f"/api/v1/attachments/{seal['sha256']}"
    refused = api.client.get(url, headers=api.key("bawaslu"))
    assert refused.status_code == 403
    assert "covert" in refused.json()["error"]["message"]
    assert api.client.get(url, headers=api.key("auditor")).status_code == 200


def test_a_reference_must_name_an_upload_of_that_size_and_type(api: Api) -> None:
    jember(api)
    ops = api.key("ops")
    file = upload(api, ops, pdf())
    cases = [
        ([{**file, "size": file["size"] + 1}], "attachments[0].size"),
        ([{**file, "type": "image/png"}], "attachments[0].type"),
        ([{**file, "sha256": "0" * 64}], "attachments[0].sha256"),
        ([{**file, "sha256": "XYZ"}], "attachments[0].sha256"),
        ([file, file], "attachments"),
        ([{**file, "name": "x.pdf"}], "attachments[0].name"),
    ]
    before = api.state.jaga.log.max_position()
    for files, field in cases:
        answer = report(api, ops, "kpu-kab-jember", files)
        assert answer.status_code == 422, (field, answer.text)
        assert answer.json()["error"]["details"]["field"] == field, answer.text
    assert api.state.jaga.log.max_position() == before  # nothing written


def test_a_bundle_with_the_photos_verifies_offline_until_one_byte_changes(
    api: Api,
) -> None:
    jember(api)
    ops, auditor = api.key("ops"), api.key("auditor")
    files = [upload(api, ops, photo(colour=(1, 2, 250))), upload(api, ops, pdf())]
    assert report(api, ops, "kpu-kab-jember", files).status_code == 201
    bundle = api.client.get(
        "/api/v1/audit/export?attachments=true", headers=auditor
    ).content
    result = verify_bundle_bytes(bundle)
    assert result.ok, result.reason
    assert result.attachments == 2
    lines = [json.loads(line) for line in bundle.splitlines()]
    for line in lines:
        if line["kind"] == "attachment" and line["type"] == "image/jpeg":
            content = bytearray(base64.b64decode(line["content"]))
            content[-10] ^= 0x20
            line["content"] = base64.b64encode(bytes(content)).decode()
    changed = b"".join(
        json.dumps(line, sort_keys=True, ensure_ascii=False).encode() + b"\n"
        for line in lines
    )
    failed = verify_bundle_bytes(changed)
    assert not failed.ok
    assert "do not hash to the SHA-256" in (failed.reason or "")
    assert failed.first_bad_position == api.state.jaga.log.max_position()
