"""RFC 6962 / RFC 9162 Merkle tree over SHA-256, stored as perfect subtree nodes."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence
from typing import Protocol

from application.leaves import leaf_hash as leaf_hash  # the leaf's own module

HASH_SIZE = 32
EMPTY_ROOT: bytes = hashlib.sha256(b"").digest()

NodeKey = tuple[int, int]
"""(level, index): level 0 index i is leaf i; (l, i) covers [i*2**l, (i+1)*2**l)."""

_Range = tuple[int, int]


def node_hash(left: bytes, right: bytes) -> bytes:
    """Return SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


class NodeStore(Protocol):
    """Read access to stored perfect subtree hashes."""

    def get_nodes(self, keys: Sequence[NodeKey]) -> dict[NodeKey, bytes]:
        """Return the hashes of those keys that are stored, in one read."""
        ...


class MissingNodeError(LookupError):
    """A node the tree of the given size must contain is not in the store."""


class MemoryNodeStore:
    """A NodeStore in a dict, for tests and offline verification."""

    def __init__(self) -> None:
        self.nodes: dict[NodeKey, bytes] = {}
        self.size = 0

    def get_nodes(self, keys: Sequence[NodeKey]) -> dict[NodeKey, bytes]:
        return {k: self.nodes[k] for k in keys if k in self.nodes}

    def put_nodes(self, nodes: Iterable[tuple[int, int, bytes]]) -> None:
        for level, index, digest in nodes:
            self.nodes[(level, index)] = digest

    def append(self, leaf_hashes: Sequence[bytes]) -> None:
        """Append leaves, storing every new perfect node."""
        self.put_nodes(nodes_to_append(self.size, leaf_hashes, self))
        self.size += len(leaf_hashes)


def _largest_power_of_two_below(n: int) -> int:
    """The k of RFC 6962: the largest power of two strictly less than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def _frontier(size: int) -> list[NodeKey]:
    """The perfect nodes whose concatenation is the whole tree, left to right."""
    keys: list[NodeKey] = []
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            keys.append((level, (size >> level) - 1))
    return keys


def _range_keys(start: int, end: int) -> list[NodeKey]:
    """The perfect nodes making up leaves [start, end), largest first.

    Every range reached by the RFC recursion starts at a multiple of the next
    power of two at or above its length, so this split is the RFC's own split.
    """
    keys: list[NodeKey] = []
    cur = start
    n = end - start
    for level in range(n.bit_length() - 1, -1, -1):
        if n >> level & 1:
            keys.append((level, cur >> level))
            cur += 1 << level
    return keys


def _fetch(store: NodeStore, keys: Iterable[NodeKey]) -> dict[NodeKey, bytes]:
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    found = store.get_nodes(wanted)
    missing = [k for k in wanted if k not in found]
    if missing:
        raise MissingNodeError(f"merkle nodes missing from store: {missing[:5]}")
    return found


def _range_hash(start: int, end: int, nodes: dict[NodeKey, bytes]) -> bytes:
    hashes = [nodes[k] for k in _range_keys(start, end)]
    acc = hashes[-1]
    # MTH splits at the largest power of two, so the smaller subtrees nest rightward.
    for h in reversed(hashes[:-1]):
        acc = node_hash(h, acc)
    return acc


def nodes_to_append(
    size: int, leaf_hashes: Sequence[bytes], store: NodeStore
) -> list[tuple[int, int, bytes]]:
    """Return the new (level, index, hash) nodes when appending leaves to a tree."""
    if size < 0:
        raise ValueError("size must be >= 0")
    for h in leaf_hashes:
        if len(h) != HASH_SIZE:
            raise ValueError("leaf hashes must be 32 bytes")
    if not leaf_hashes:
        return []
    new_size = size + len(leaf_hashes)
    # Only the old tree's right edge can be a left child of a new node.
    known = _fetch(store, _frontier(size))
    new: dict[NodeKey, bytes] = {(0, size + j): h for j, h in enumerate(leaf_hashes)}
    out: list[tuple[int, int, bytes]] = [
        (0, size + j, h) for j, h in enumerate(leaf_hashes)
    ]
    level = 1
    while new_size >> level:
        for index in range(size >> level, new_size >> level):
            left_key = (level - 1, 2 * index)
            left = new.get(left_key) or known[left_key]
            right = new[(level - 1, 2 * index + 1)]
            digest = node_hash(left, right)
            new[(level, index)] = digest
            out.append((level, index, digest))
        level += 1
    return out


def root(size: int, store: NodeStore) -> bytes:
    """Return MTH of the first `size` leaves."""
    if size < 0:
        raise ValueError("size must be >= 0")
    if size == 0:
        return EMPTY_ROOT
    return _range_hash(0, size, _fetch(store, _frontier(size)))


def _path_ranges(index: int, start: int, end: int) -> list[_Range]:
    """RFC 6962 PATH(m, D[start:end]) as leaf ranges, deepest first."""
    n = end - start
    if n == 1:
        return []
    k = _largest_power_of_two_below(n)
    if index - start < k:
        return [*_path_ranges(index, start, start + k), (start + k, end)]
    return [*_path_ranges(index, start + k, end), (start, start + k)]


def _subproof_ranges(m: int, start: int, end: int, whole: bool) -> list[_Range]:
    """RFC 6962 SUBPROOF(m, D[start:end], b) as leaf ranges."""
    n = end - start
    if m == n:
        return [] if whole else [(start, end)]
    k = _largest_power_of_two_below(n)
    if m <= k:
        return [*_subproof_ranges(m, start, start + k, whole), (start + k, end)]
    return [*_subproof_ranges(m - k, start + k, end, False), (start, start + k)]


def _hash_ranges(ranges: list[_Range], store: NodeStore) -> list[bytes]:
    nodes = _fetch(store, (k for a, b in ranges for k in _range_keys(a, b)))
    return [_range_hash(a, b, nodes) for a, b in ranges]


def inclusion_proof(index: int, size: int, store: NodeStore) -> list[bytes]:
    """Return the RFC 6962 audit path for leaf `index` in the tree of `size`."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} not in tree of size {size}")
    return _hash_ranges(_path_ranges(index, 0, size), store)


def consistency_proof(first: int, second: int, store: NodeStore) -> list[bytes]:
    """Return the RFC 6962 consistency proof from tree `first` to tree `second`.

    Empty when first is 0 or equals second: those need no proof.
    """
    if not 0 <= first <= second:
        raise ValueError(f"need 0 <= first <= second, got {first}, {second}")
    if first == 0 or first == second:
        return []
    return _hash_ranges(_subproof_ranges(first, 0, second, True), store)


def root_of_leaves(leaf_hashes: Sequence[bytes]) -> bytes:
    """Return MTH of the given leaf hashes, built in memory."""
    store = MemoryNodeStore()
    store.append(leaf_hashes)
    return root(store.size, store)


def _valid_hashes(*hashes: bytes) -> bool:
    return all(len(h) == HASH_SIZE for h in hashes)


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """Check an inclusion proof (RFC 9162 section 2.1.3.2)."""
    if not 0 <= index < size or not _valid_hashes(leaf_hash, root, *proof):
        return False
    fn, sn = index, size - 1
    r = leaf_hash
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and hmac.compare_digest(r, root)


def verify_consistency(
    first: int,
    second: int,
    first_root: bytes,
    second_root: bytes,
    proof: Sequence[bytes],
) -> bool:
    """Check a consistency proof (RFC 9162 section 2.1.4.2)."""
    if not 0 <= first <= second or not _valid_hashes(first_root, second_root, *proof):
        return False
    if first == 0:
        return not proof and hmac.compare_digest(first_root, EMPTY_ROOT)
    if first == second:
        return not proof and hmac.compare_digest(first_root, second_root)
    if not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return (
        sn == 0
        and hmac.compare_digest(fr, first_root)
        and hmac.compare_digest(sr, second_root)
    )
