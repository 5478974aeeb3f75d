"""Evidence: the photos and documents an event names by SHA-256, size and type, so
the Merkle log covers the bytes without holding them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from domain.errors import InvalidValue

TYPES = ("image/jpeg", "image/png", "image/webp", "application/pdf")
MAX_SIZE = 64 * 1024 * 1024  # no setting may allow a larger file than this
MAX_PER_EVENT = 20
SHA256 = re.compile(r"^[0-9a-f]{64}$")
KEYS = frozenset({"sha256", "size", "type"})


@dataclass(frozen=True)
class AttachmentRef:
    """One attachment as an event names it."""

    sha256: str
    size: int
    type: str

    def as_dict(self) -> dict[str, Any]:
        return {"sha256": self.sha256, "size": self.size, "type": self.type}


def sha256_hex(value: object, field: str) -> str:
    if not isinstance(value, str) or not SHA256.match(value):
        raise InvalidValue(field, "must be 64 lower-case hexadecimal digits (SHA-256)")
    return value


def attachment_ref(value: object, field: str) -> AttachmentRef:
    """`{"sha256", "size", "type"}` checked for shape (not for existence)."""
    if isinstance(value, AttachmentRef):
        return value
    if not isinstance(value, dict):
        raise InvalidValue(field, "must be an object with sha256, size and type")
    unknown = sorted(set(value) - KEYS)
    if unknown:
        raise InvalidValue(f"{field}.{unknown[0]}", "is not a field of an attachment")
    size = value.get("size")
    if isinstance(size, bool) or not isinstance(size, int) or not 0 < size <= MAX_SIZE:
        raise InvalidValue(
            f"{field}.size", f"must be a whole number of bytes, 1 to {MAX_SIZE}"
        )
    kind = value.get("type")
    if kind not in TYPES:
        raise InvalidValue(f"{field}.type", f"must be one of {', '.join(TYPES)}")
    assert isinstance(kind, str)
    return AttachmentRef(sha256_hex(value.get("sha256"), f"{field}.sha256"), size, kind)


def attachment_refs(values: object, field: str = "attachments") -> list[AttachmentRef]:
    """A list of attachments, none twice, at most MAX_PER_EVENT; None is none."""
    if values is None:
        return []
    if not isinstance(values, (list, tuple)):
        raise InvalidValue(field, "must be a list of attachments")
    if len(values) > MAX_PER_EVENT:
        raise InvalidValue(field, f"must name at most {MAX_PER_EVENT} attachments")
    refs = [attachment_ref(v, f"{field}[{i}]") for i, v in enumerate(values)]
    seen: set[str] = set()
    for i, ref in enumerate(refs):
        if ref.sha256 in seen:
            raise InvalidValue(f"{field}[{i}].sha256", "names an attachment twice")
        seen.add(ref.sha256)
    return refs


def referenced(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The attachments an event's data (or a correction's changes) names, as
    stored: well-formed entries only, so hostile history cannot break a reader."""
    values = data.get("attachments")
    if not isinstance(values, list):
        return []
    found = []
    for value in values:
        try:
            found.append(attachment_ref(value, "attachments").as_dict())
        except InvalidValue:
            continue
    return found
