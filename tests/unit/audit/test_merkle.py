"""Merkle tree: RFC 6962 vectors, a naive reference, proofs and their verifiers."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence

import pytest

from infrastructure.audit.merkle import (
    EMPTY_ROOT,
    MemoryNodeStore,
    MissingNodeError,
    NodeKey,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    nodes_to_append,
    root,
    root_of_leaves,
    verify_consistency,
    verify_inclusion,
)

# Reference data of transparency-dev/merkle testonly/constants.go and
# proof/verify_test.go (originally certificate-transparency / trillian).
LEAF_INPUTS = [
    bytes.fromhex(h)
    for h in [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
]
NODE_HASHES = [
    [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
        "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
    ],
    [
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    ],
    [
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    ["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"],
]
ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
INCLUSION_VECTORS: list[tuple[int, int, list[str]]] = [
    (0, 1, []),
    (0, 2, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"]),
    (1, 2, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]
CONSISTENCY_VECTORS: list[tuple[int, int, list[str]]] = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        6,
        7,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]
SOME_HASH = bytes.fromhex(
    "abacaba000000000000000000000000000000000000000000060061e00123456"
)


# Naive RFC 6962 section 2.1 definitions, over leaf hashes.
def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def naive_mth(d: Sequence[bytes]) -> bytes:
    if not d:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return d[0]
    k = _k(len(d))
    return node_hash(naive_mth(d[:k]), naive_mth(d[k:]))


def naive_path(m: int, d: Sequence[bytes]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = _k(len(d))
    if m < k:
        return [*naive_path(m, d[:k]), naive_mth(d[k:])]
    return [*naive_path(m - k, d[k:]), naive_mth(d[:k])]


def naive_subproof(m: int, d: Sequence[bytes], b: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if b else [naive_mth(d)]
    k = _k(n)
    if m <= k:
        return [*naive_subproof(m, d[:k], b), naive_mth(d[k:])]
    return [*naive_subproof(m - k, d[k:], False), naive_mth(d[:k])]


def naive_proof(m: int, d: Sequence[bytes]) -> list[bytes]:
    return naive_subproof(m, d, True)


def hashes_of(n: int, seed: int = 0) -> list[bytes]:
    return [leaf_hash(f"{seed}:{i}".encode()) for i in range(n)]


def store_of(leaves: Sequence[bytes]) -> MemoryNodeStore:
    store = MemoryNodeStore()
    store.append(leaves)
    return store


class RecordingStore(MemoryNodeStore):
    """Remembers every batch of keys asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[list[NodeKey]] = []

    def get_nodes(self, keys: Sequence[NodeKey]) -> dict[NodeKey, bytes]:
        self.batches.append(list(keys))
        return super().get_nodes(keys)


def unhex(hs: list[str]) -> list[bytes]:
    return [bytes.fromhex(h) for h in hs]


VECTOR_LEAVES = [leaf_hash(d) for d in LEAF_INPUTS]


def test_hash_functions_follow_rfc6962_domain_separation() -> None:
    assert leaf_hash(b"x") == hashlib.sha256(b"\x00x").digest()
    assert node_hash(b"a", b"b") == hashlib.sha256(b"\x01ab").digest()
    assert EMPTY_ROOT == bytes.fromhex(ROOTS[0])


def test_published_roots_for_every_size_up_to_eight() -> None:
    store = MemoryNodeStore()
    assert root(0, store) == bytes.fromhex(ROOTS[0])
    for size in range(1, 9):
        store.append(VECTOR_LEAVES[size - 1 : size])
        assert root(size, store) == bytes.fromhex(ROOTS[size])
        assert root_of_leaves(VECTOR_LEAVES[:size]) == bytes.fromhex(ROOTS[size])
    assert root_of_leaves([]) == EMPTY_ROOT


def test_stored_nodes_equal_published_node_hashes() -> None:
    store = store_of(VECTOR_LEAVES)
    expected = {
        (level, index): bytes.fromhex(h)
        for level, row in enumerate(NODE_HASHES)
        for index, h in enumerate(row)
    }
    assert store.nodes == expected


@pytest.mark.parametrize(("index", "size", "path"), INCLUSION_VECTORS)
def test_published_inclusion_proofs(index: int, size: int, path: list[str]) -> None:
    store = store_of(VECTOR_LEAVES)
    proof = inclusion_proof(index, size, store)
    assert proof == unhex(path)
    assert verify_inclusion(
        VECTOR_LEAVES[index], index, size, proof, bytes.fromhex(ROOTS[size])
    )


@pytest.mark.parametrize(("first", "second", "path"), CONSISTENCY_VECTORS)
def test_published_consistency_proofs(first: int, second: int, path: list[str]) -> None:
    store = store_of(VECTOR_LEAVES)
    proof = consistency_proof(first, second, store)
    assert proof == unhex(path)
    assert verify_consistency(
        first, second, bytes.fromhex(ROOTS[first]), bytes.fromhex(ROOTS[second]), proof
    )


def test_random_appends_match_naive_tree() -> None:
    rng = random.Random(6962)
    for trial in range(5):
        leaves = hashes_of(200, seed=trial)
        store = MemoryNodeStore()
        while store.size < len(leaves):
            batch = rng.choice([1, 1, 2, 3, 5, 8, 17, 40])
            store.append(leaves[store.size : store.size + batch])
            n = store.size
            assert root(n, store) == naive_mth(leaves[:n])
            index = rng.randrange(n)
            assert inclusion_proof(index, n, store) == naive_path(index, leaves[:n])
            first = rng.randrange(1, n + 1)
            assert consistency_proof(first, n, store) == (
                naive_proof(first, leaves[:n]) if first < n else []
            )
        for (level, index), digest in store.nodes.items():
            start = index << level
            assert digest == naive_mth(leaves[start : start + (1 << level)])
        assert len(store.nodes) == sum(200 >> lvl for lvl in range(8))


def test_every_inclusion_proof_up_to_64_matches_naive_and_verifies() -> None:
    leaves = hashes_of(64)
    store = store_of(leaves)
    for size in range(1, 65):
        tree_root = naive_mth(leaves[:size])
        for index in range(size):
            proof = inclusion_proof(index, size, store)
            assert proof == naive_path(index, leaves[:size])
            assert verify_inclusion(leaves[index], index, size, proof, tree_root)


def test_every_consistency_proof_up_to_64_matches_naive_and_verifies() -> None:
    leaves = hashes_of(64)
    store = store_of(leaves)
    roots = [naive_mth(leaves[:n]) for n in range(65)]
    for second in range(0, 65):
        for first in range(0, second + 1):
            proof = consistency_proof(first, second, store)
            if 0 < first < second:
                assert proof == naive_proof(first, leaves[:second])
            else:
                assert proof == []
            assert verify_consistency(first, second, roots[first], roots[second], proof)


def _flip(h: bytes, bit: int = 3) -> bytes:
    return bytes([h[0] ^ (1 << bit)]) + h[1:]


def test_tampered_inclusion_proofs_are_rejected() -> None:
    leaves = hashes_of(64)
    store = store_of(leaves)
    for size in range(1, 65):
        tree_root = naive_mth(leaves[:size])
        for index in range(size):
            proof = inclusion_proof(index, size, store)
            leaf = leaves[index]
            bad: list[tuple[bytes, int, int, list[bytes], bytes]] = [
                (leaf, index + 1, size, proof, tree_root),
                (leaf, index, size * 2, proof, tree_root),
                (_flip(leaf), index, size, proof, tree_root),
                (leaf, index, size, proof, _flip(tree_root)),
                (leaf, index, size, proof, EMPTY_ROOT),
                (leaf, index, size, [*proof, tree_root], tree_root),
                (leaf, index, size, [tree_root, *proof], tree_root),
                (leaf, index, size, [*proof, b""], tree_root),
            ]
            if index > 0:
                bad.append((leaf, index - 1, size, proof, tree_root))
            if index ^ 2 < size and index ^ 2 != index:
                bad.append((leaf, index ^ 2, size, proof, tree_root))
            if size > 1:
                bad.append((leaf, index, size // 2, proof, tree_root))
            for i in range(len(proof)):
                wrong = list(proof)
                wrong[i] = _flip(wrong[i])
                bad.append((leaf, index, size, wrong, tree_root))
            if proof:
                bad.append((leaf, index, size, proof[:-1], tree_root))
            if len(proof) > 1:
                bad.append(
                    (leaf, index, size, [proof[0], SOME_HASH, *proof[1:]], tree_root)
                )
            for args in bad:
                assert not verify_inclusion(*args), (index, size, args[1:3])


def test_tampered_consistency_proofs_are_rejected() -> None:
    leaves = hashes_of(64)
    store = store_of(leaves)
    roots = [naive_mth(leaves[:n]) for n in range(129)]
    for second in range(2, 65):
        for first in range(1, second):
            proof = consistency_proof(first, second, store)
            r1, r2 = roots[first], roots[second]
            bad: list[tuple[int, int, bytes, bytes, list[bytes]]] = [
                (first - 1, second, r1, r2, proof),
                (first, second * 2, r1, r2, proof),
                (first, second, _flip(r1), r2, proof),
                (first, second, r1, _flip(r2), proof),
                (first, second, r2, r1, proof),
                (first, second, r1, r2, []),
                (first, second, r1, r2, [*proof, b""]),
                (first, second, r1, r2, [*proof, r1]),
                (first, second, r1, r2, [*proof, r2]),
                (first, second, r1, r2, [r1, *proof]),
                (first, second, r1, r2, [r2, *proof]),
                (first, second, r1, r2, [proof[0], *proof]),
                (first, second, r1, r2, proof[:-1]),
                (second, first, r2, r1, proof),
            ]
            if first + 1 < second:
                bad.append((first + 1, second, r1, r2, proof))
            if first ^ 2 and first ^ 2 < second:
                bad.append((first ^ 2, second, r1, r2, proof))
            if second // 2 >= first:
                bad.append((first, second // 2, r1, r2, proof))
            for i in range(len(proof)):
                wrong = list(proof)
                wrong[i] = _flip(wrong[i], 4)
                bad.append((first, second, r1, r2, wrong))
            for args in bad:
                assert not verify_consistency(*args), (first, second, args[:2])


def test_trivial_consistency_needs_matching_roots_and_no_proof() -> None:
    some_root = naive_mth(hashes_of(3))
    assert verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    assert verify_consistency(0, 3, EMPTY_ROOT, some_root, [])
    assert not verify_consistency(0, 3, SOME_HASH, some_root, [])
    assert verify_consistency(3, 3, some_root, some_root, [])
    assert not verify_consistency(3, 3, some_root, SOME_HASH, [])
    assert not verify_consistency(3, 3, some_root, some_root, [EMPTY_ROOT])
    assert not verify_consistency(1, 0, some_root, some_root, [])


def test_inclusion_rejects_index_outside_tree() -> None:
    leaf = hashes_of(1)[0]
    assert verify_inclusion(leaf, 0, 1, [], leaf)
    assert not verify_inclusion(leaf, 1, 1, [], leaf)
    assert not verify_inclusion(leaf, 0, 0, [], leaf)
    assert not verify_inclusion(b"", 0, 1, [], b"")
    with pytest.raises(ValueError):
        inclusion_proof(1, 1, store_of([leaf]))
    with pytest.raises(ValueError):
        consistency_proof(2, 1, store_of([leaf]))


def test_append_reads_only_the_frontier_in_one_batch() -> None:
    rng = random.Random(9162)
    leaves = hashes_of(300)
    store = RecordingStore()
    while store.size < len(leaves):
        size = store.size
        store.batches.clear()
        store.append(leaves[size : size + rng.randint(1, 20)])
        if size == 0:
            assert store.batches == []
        else:
            assert len(store.batches) == 1
            assert len(store.batches[0]) == bin(size).count("1")


def test_nodes_to_append_returns_exactly_the_new_perfect_nodes() -> None:
    leaves = hashes_of(13)
    store = store_of(leaves[:5])
    new = nodes_to_append(5, leaves[5:], store)
    keys = {(level, index) for level, index, _ in new}
    assert keys == {
        (level, index)
        for level in range(4)
        for index in range(13 >> level)
        if (index + 1) << level > 5
    }
    assert len(keys) == len(new)


def test_proofs_read_once_and_only_inside_the_tree() -> None:
    leaves = hashes_of(100)
    store = RecordingStore()
    store.append(leaves)
    for size in range(1, 101):
        for index in range(0, size, 7):
            store.batches.clear()
            inclusion_proof(index, size, store)
            assert len(store.batches) <= 1
            keys = store.batches[0] if store.batches else []
            assert all((i + 1) << lvl <= size for lvl, i in keys)
            assert len(keys) <= 2 * size.bit_length()
        for first in range(1, size, 5):
            store.batches.clear()
            consistency_proof(first, size, store)
            assert len(store.batches) == 1
            keys = store.batches[0]
            assert all((i + 1) << lvl <= size for lvl, i in keys)
            assert len(keys) <= 2 * size.bit_length()
        store.batches.clear()
        root(size, store)
        assert len(store.batches) == 1
        assert len(store.batches[0]) == bin(size).count("1")


def test_missing_node_is_reported_not_guessed() -> None:
    store = store_of(hashes_of(10))
    del store.nodes[(1, 4)]
    with pytest.raises(MissingNodeError):
        root(10, store)
    with pytest.raises(MissingNodeError):
        inclusion_proof(0, 10, store)
    with pytest.raises(MissingNodeError):
        nodes_to_append(10, hashes_of(1, seed=1), store)
