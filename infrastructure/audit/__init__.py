"""Tamper-evident audit log: Merkle tree, proofs and signed checkpoints."""
