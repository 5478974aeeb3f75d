"""Uploaded evidence: the bytes by SHA-256 (files or object storage), their metadata."""
