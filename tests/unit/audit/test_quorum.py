"""Holding a log to what witnesses cosigned: the fork is named as narrowly as the
cosigned sizes allow, removals and split views are caught, a quorum is counted."""

from __future__ import annotations

import hashlib

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from infrastructure.audit.checkpoint import checkpoint_body
from infrastructure.audit.merkle import MemoryNodeStore, root
from infrastructure.audit.note import Signature, Verifier, cosign, witness_verifier
from infrastructure.audit.quorum import gather, judge

ORIGIN = "jaga.example/log"
KEYS = {name: Ed25519PrivateKey.generate() for name in ("a.example/w", "b.example/w")}
WITNESSES: list[Verifier] = [witness_verifier(n, k) for n, k in KEYS.items()]


def tree(n: int, changed: int | None = None) -> MemoryNodeStore:
    store = MemoryNodeStore()
    store.append(
        [
            hashlib.sha256(f"{i}{'x' if i == changed else ''}".encode()).digest()
            for i in range(n)
        ]
    )
    return store


def cosigned(
    store: MemoryNodeStore, size: int, *names: str
) -> list[tuple[str, Signature]]:
    body = checkpoint_body(ORIGIN, size, root(size, store))
    return [(body, cosign(KEYS[n], n, body, 1000 + size)) for n in names]


def test_a_log_that_matches_every_cosigned_checkpoint_passes_with_a_quorum() -> None:
    honest = tree(12)
    pairs = cosigned(honest, 4, *KEYS) + cosigned(honest, 10, "a.example/w")
    result = judge(gather(pairs, WITNESSES), 2, 12, lambda n: root(n, honest))
    assert result.ok and result.witnessed_size == 4
    one = judge(gather(pairs, WITNESSES), 1, 12, lambda n: root(n, honest))
    assert one.witnessed_size == 10 and one.cosigned_by == ["a.example/w"]


def test_a_rewrite_is_named_between_the_last_matching_and_first_differing_size() -> (
    None
):
    honest, rewritten = tree(12), tree(12, changed=6)
    pairs = cosigned(honest, 4, *KEYS) + cosigned(honest, 10, *KEYS)
    result = judge(gather(pairs, WITNESSES), 2, 12, lambda n: root(n, rewritten))
    assert not result.ok and result.first_bad_position is None
    assert "rewritten between positions 5 and 10" in (result.reason or "")
    assert result.fork is not None and result.fork["agreed_size"] == 4
    narrow = cosigned(honest, 6, *KEYS) + cosigned(honest, 7, *KEYS)
    exact = judge(gather(narrow, WITNESSES), 2, 12, lambda n: root(n, rewritten))
    assert exact.first_bad_position == 7


def test_events_removed_after_a_cosigned_size_are_named() -> None:
    honest = tree(12)
    pairs = cosigned(honest, 12, *KEYS)
    result = judge(gather(pairs, WITNESSES), 2, 9, lambda n: root(n, honest))
    assert not result.ok and result.first_bad_position == 10
    assert "holds 9: events were removed" in (result.reason or "")


def test_two_roots_cosigned_for_one_size_are_a_split_view() -> None:
    one, other = tree(8), tree(8, changed=7)
    pairs = cosigned(one, 8, "a.example/w") + cosigned(other, 8, "b.example/w")
    result = judge(gather(pairs, WITNESSES), 1, 8, lambda n: root(n, one))
    assert not result.ok and "split view at size 8" in (result.reason or "")


def test_cosignatures_of_unnamed_or_forged_keys_do_not_count() -> None:
    honest = tree(5)
    stranger = Ed25519PrivateKey.generate()
    body = checkpoint_body(ORIGIN, 5, root(5, honest))
    forged = cosign(stranger, "a.example/w", body, 1)  # right name, wrong key
    pairs = cosigned(honest, 5, "a.example/w") + [(body, forged)]
    result = judge(gather(pairs, WITNESSES), 2, 5, lambda n: root(n, honest))
    assert not result.ok
    assert "no checkpoint carries valid cosignatures of 2" in (result.reason or "")
    assert "a.example/w up to size 5" in (result.reason or "")
