"""Export bundles: verified offline with no database, and rejected once edited."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from application.records import canonical_bytes
from infrastructure.audit.bundle import write_bundle
from infrastructure.audit.bundle_verify import verify_bundle, verify_bundle_bytes
from infrastructure.audit.checkpoint import public_key_bytes, sign_checkpoint
from infrastructure.audit.frontier import frontier_keys
from infrastructure.audit.merkle import (
    MemoryNodeStore,
    consistency_proof,
    leaf_hash,
    root,
)

KEY = Ed25519PrivateKey.generate()
SIZE = 21


def record(position: int) -> dict[str, Any]:
    return {
        "position": position,
        "type": "CheckedIn",
        "event_id": f"ev-{position}",
        "aggregate_id": f"agg-{position}",
        "aggregate_version": 1,
        "occurred_at": "2024-02-14T01:00:00+00:00",
        "recorded_at": "2024-02-14T01:00:05+00:00",
        "late": False,
        "actor": {"id": "key-field", "name": "Pos jaga", "role": "field"},
        "data": {
            "site_id": "kpu-kab-jember",
            "personnel_id": f"jbr-{position:02d}",
            "note": "Gudang logistik aman, segel utuh",
        },
    }


def make_bundle(first: int, last: int, size: int = SIZE) -> bytes:
    records = [record(p) for p in range(1, size + 1)]
    leaves = [leaf_hash(canonical_bytes(r)) for r in records]
    store = MemoryNodeStore()
    store.append(leaves)
    cp = sign_checkpoint(
        KEY,
        "jaga.example/test",
        size,
        root(size, store),
        datetime(2024, 2, 14, tzinfo=UTC),
    )
    keys = frontier_keys(first - 1)
    left = [(lv, i, store.nodes[(lv, i)]) for lv, i in keys]
    proof = consistency_proof(last, size, store)
    events = [(records[p - 1], leaves[p - 1]) for p in range(first, last + 1)]
    return write_bundle(cp, first, last, left, proof, events)


def lines(data: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in data.splitlines()]


def joined(objs: list[dict[str, Any]]) -> bytes:
    return b"".join(json.dumps(o).encode() + b"\n" for o in objs)


def event_line(objs: list[dict[str, Any]], position: int) -> dict[str, Any]:
    return next(o for o in objs if o["kind"] == "event" and o["position"] == position)


@pytest.mark.parametrize(
    "first,last", [(1, SIZE), (1, 1), (5, 12), (8, 16), (SIZE, SIZE), (2, 17)]
)
def test_bundle_of_any_range_verifies_offline(first: int, last: int) -> None:
    result = verify_bundle_bytes(make_bundle(first, last))
    assert result.ok, result.reason
    assert (result.from_position, result.to_position) == (first, last)
    assert result.events == last - first + 1


def test_bundle_file_verifies_and_pins_the_signer(tmp_path: Any) -> None:
    path = tmp_path / "bundle.jsonl"
    path.write_bytes(make_bundle(3, 9))
    assert verify_bundle(path, public_key_bytes(KEY)).ok
    other = public_key_bytes(Ed25519PrivateKey.generate())
    result = verify_bundle(path, other)
    assert not result.ok and "another key" in (result.reason or "")


def test_one_byte_changed_in_a_record_is_named_at_its_position() -> None:
    objs = lines(make_bundle(5, 12))
    event_line(objs, 9)["record"]["data"]["note"] = "Gudang logistik aman, segel rusak"
    result = verify_bundle_bytes(joined(objs))
    assert not result.ok
    assert result.first_bad_position == 9


def test_record_and_canonical_bytes_edited_together_fail_their_leaf_hash() -> None:
    objs = lines(make_bundle(5, 12))
    line = event_line(objs, 7)
    line["record"]["actor"]["name"] = "Someone else"
    line["canonical"] = base64.b64encode(canonical_bytes(line["record"])).decode()
    result = verify_bundle_bytes(joined(objs))
    assert result.first_bad_position == 7
    assert "leaf hash" in (result.reason or "")


def test_event_rehashed_throughout_fails_the_signed_root() -> None:
    objs = lines(make_bundle(5, 12))
    line = event_line(objs, 6)
    line["record"]["data"]["personnel_id"] = "jbr-99"
    data = canonical_bytes(line["record"])
    line["canonical"] = base64.b64encode(data).decode()
    line["leaf_hash"] = leaf_hash(data).hex()
    result = verify_bundle_bytes(joined(objs))
    assert not result.ok
    assert "do not hash to the root signed" in (result.reason or "")


def test_removed_event_is_named() -> None:
    objs = [
        o
        for o in lines(make_bundle(5, 12))
        if not (o["kind"] == "event" and o["position"] == 8)
    ]
    assert verify_bundle_bytes(joined(objs)).first_bad_position == 8


def test_removed_last_event_is_named() -> None:
    objs = lines(make_bundle(5, 12))[:-1]
    assert verify_bundle_bytes(joined(objs)).first_bad_position == 12


def test_swapped_events_are_named_at_the_first_of_them() -> None:
    objs = lines(make_bundle(5, 12))
    a = objs.index(event_line(objs, 6))
    b = objs.index(event_line(objs, 10))
    objs[a], objs[b] = objs[b], objs[a]
    assert verify_bundle_bytes(joined(objs)).first_bad_position == 6


def test_renumbered_swap_still_fails_against_the_root() -> None:
    objs = lines(make_bundle(5, 12))
    six, ten = event_line(objs, 6), event_line(objs, 10)
    six["record"], ten["record"] = ten["record"], six["record"]
    for line, position in ((six, 6), (ten, 10)):
        line["record"]["position"] = position
        data = canonical_bytes(line["record"])
        line["canonical"] = base64.b64encode(data).decode()
        line["leaf_hash"] = leaf_hash(data).hex()
    assert not verify_bundle_bytes(joined(objs)).ok


def test_edited_checkpoint_is_rejected() -> None:
    objs = lines(make_bundle(5, 12))
    cp = objs[1]
    cp["tree_size"] = SIZE + 1
    cp["note"] = cp["note"].replace(f"\n{SIZE}\n", f"\n{SIZE + 1}\n")
    objs[0]["tree_size"] = SIZE + 1
    result = verify_bundle_bytes(joined(objs))
    assert not result.ok and "signature" in (result.reason or "")


def test_forged_left_frontier_is_rejected() -> None:
    objs = lines(make_bundle(6, 12))
    node = objs[3]["nodes"][0]
    node[2] = "00" * 32
    assert not verify_bundle_bytes(joined(objs)).ok


def test_garbage_is_rejected_with_a_reason() -> None:
    for data in (b"", b"not json\n", b'{"kind": "header"}\n', b"[1, 2]\n"):
        result = verify_bundle_bytes(data)
        assert not result.ok and result.reason
