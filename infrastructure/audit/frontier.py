"""The right edge of a Merkle tree: the few nodes that appending and the root need,
so a whole log can be rehashed in constant memory."""

from __future__ import annotations

from collections.abc import Sequence

from infrastructure.audit.merkle import NodeKey, nodes_to_append, root


def frontier_keys(size: int) -> list[NodeKey]:
    """The perfect subtrees that make up the first `size` leaves, left to right."""
    return [
        (lv, (size >> lv) - 1)
        for lv in range(size.bit_length() - 1, -1, -1)
        if size >> lv & 1
    ]


class Frontier:
    """A NodeStore holding only the right edge of a tree of `size` leaves."""

    def __init__(self, nodes: dict[NodeKey, bytes] | None = None, size: int = 0):
        self.nodes = dict(nodes or {})
        self.size = size
        missing = [k for k in frontier_keys(size) if k not in self.nodes]
        if missing:
            raise ValueError(f"frontier of size {size} lacks nodes {missing}")

    def get_nodes(self, keys: Sequence[NodeKey]) -> dict[NodeKey, bytes]:
        return {k: self.nodes[k] for k in keys if k in self.nodes}

    def append(self, leaves: Sequence[bytes]) -> list[tuple[int, int, bytes]]:
        """Appends leaf hashes; returns every node they create, as stored ones are."""
        new = nodes_to_append(self.size, leaves, self)
        self.size += len(leaves)
        every = {**self.nodes, **{(lv, i): h for lv, i, h in new}}
        self.nodes = {k: every[k] for k in frontier_keys(self.size)}
        return new

    def root(self) -> bytes:
        return root(self.size, self)
