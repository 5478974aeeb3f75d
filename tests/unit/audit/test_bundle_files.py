"""Evidence files in an export bundle: each checked offline against the SHA-256,
size and type its event names, so one changed byte of a photo fails the bundle."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from application.records import canonical_bytes
from infrastructure.attachments.bundled import with_files
from infrastructure.audit.bundle import write_bundle
from infrastructure.audit.bundle_verify import verify_bundle_bytes
from infrastructure.audit.checkpoint import sign_checkpoint
from infrastructure.audit.merkle import MemoryNodeStore, leaf_hash, root
from tests.evidence import pdf, photo

KEY = Ed25519PrivateKey.generate()
FILES = {
    hashlib.sha256(data).hexdigest(): (data, kind)
    for data, kind in (
        (photo(colour=(200, 30, 30)), "image/jpeg"),
        (photo("PNG", colour=(30, 200, 30)), "image/png"),
        (pdf(), "application/pdf"),
    )
}
SHAS = sorted(FILES)


def ref(sha: str) -> dict[str, Any]:
    data, kind = FILES[sha]
    return {"sha256": sha, "size": len(data), "type": kind}


def record(position: int, attachments: list[str]) -> dict[str, Any]:
    return {
        "position": position,
        "type": "IncidentReported",
        "event_id": f"ev-{position}",
        "aggregate_id": f"agg-{position}",
        "aggregate_version": 1,
        "occurred_at": "2024-11-27T02:30:00+00:00",
        "recorded_at": "2024-11-27T02:31:00+00:00",
        "late": False,
        "actor": {"id": "k", "name": "Pos jaga", "role": "field"},
        "data": {
            "site_id": "kpu-kab-jember",
            "description": "Provokasi di antrean",
            "attachments": [ref(s) for s in attachments],
        },
    }


def bundle(with_attachments: bool = True) -> bytes:
    records = [record(1, SHAS[:2]), record(2, []), record(3, SHAS[2:])]
    leaves = [leaf_hash(canonical_bytes(r)) for r in records]
    store = MemoryNodeStore()
    store.append(leaves)
    cp = sign_checkpoint(
        KEY, "jaga.example/test", 3, root(3, store), datetime(2024, 11, 28, tzinfo=UTC)
    )
    plain = write_bundle(cp, 1, 3, [], [], list(zip(records, leaves, strict=True)))
    return with_files(plain, lambda sha: FILES[sha][0]) if with_attachments else plain


def edit(data: bytes, change: Any) -> bytes:
    objs = [json.loads(line) for line in data.splitlines()]
    objs = change(objs)
    return b"".join(
        json.dumps(o, sort_keys=True, ensure_ascii=False).encode() + b"\n" for o in objs
    )


def test_a_bundle_with_its_evidence_files_verifies_offline() -> None:
    result = verify_bundle_bytes(bundle())
    assert result.ok, result.reason
    assert (result.events, result.attachments) == (3, 3)


def test_one_changed_byte_of_a_photo_fails_the_bundle_at_its_event() -> None:
    def flip(objs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for o in objs:
            if o["kind"] == "attachment" and o["sha256"] in SHAS[:2]:
                content = bytearray(base64.b64decode(o["content"]))
                content[len(content) // 2] ^= 0x01
                o["content"] = base64.b64encode(bytes(content)).decode()
        return objs

    result = verify_bundle_bytes(edit(bundle(), flip))
    assert not result.ok
    assert result.first_bad_position == 1
    assert "do not hash to the SHA-256" in (result.reason or "")


def test_a_missing_an_unnamed_or_a_doubled_file_fails() -> None:
    pdf_sha = next(s for s in SHAS if FILES[s][1] == "application/pdf")
    dropped = edit(
        bundle(), lambda objs: [o for o in objs if o.get("sha256") != pdf_sha]
    )
    result = verify_bundle_bytes(dropped)
    assert not result.ok
    assert result.first_bad_position == (3 if pdf_sha in SHAS[2:] else 1)
    assert "named but not included" in (result.reason or "")

    stranger = photo(colour=(1, 1, 1))
    extra = {
        "kind": "attachment",
        "sha256": hashlib.sha256(stranger).hexdigest(),
        "size": len(stranger),
        "type": "image/jpeg",
        "content": base64.b64encode(stranger).decode(),
    }
    result = verify_bundle_bytes(edit(bundle(), lambda objs: [*objs, extra]))
    assert not result.ok and "no event in the bundle names it" in (result.reason or "")

    twice = edit(bundle(), lambda objs: [*objs, objs[-1]])
    assert "included twice" in (verify_bundle_bytes(twice).reason or "")


def test_a_bundle_exported_without_files_still_verifies() -> None:
    result = verify_bundle_bytes(bundle(with_attachments=False))
    assert result.ok and result.attachments == 0
