"""Taking an upload in: counted, hashed and sniffed as it streams to a scratch file,
then kept once under its SHA-256 with its metadata beside the log."""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from application.attachments import Upload
from domain.evidence import MAX_SIZE, TYPES
from infrastructure.attachments.blobs import BlobStore, open_blobs
from infrastructure.attachments.content import HEAD, confirmed, read_exif, sniff
from infrastructure.attachments.index import UploadIndex

DEFAULT_LIMIT = 20 * 1024 * 1024


class UploadRefused(Exception):
    """An upload that is not kept; `status` is the HTTP answer it deserves."""

    status = 422
    code = "invalid_value"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class TooLarge(UploadRefused):
    status, code = 413, "too_large"


class NotAllowed(UploadRefused):
    status, code = 415, "unsupported_type"


def refuse_type(found: str | None) -> NotAllowed:
    return NotAllowed(
        "file: the bytes are not a JPEG, PNG or WebP image or a PDF document"
        + ("" if found is None else f" (they begin like {found} but are not one)"),
        field="file",
        allowed=list(TYPES),
    )


class Incoming:
    """One upload in progress: refused as soon as it passes the limit or its
    first bytes are not an allowed type, so a hostile client cannot make the
    server keep more than `limit` bytes of it."""

    def __init__(self, scratch: Path, limit: int) -> None:
        self.limit = limit
        self.path = scratch / f"up-{os.getpid()}-{secrets.token_hex(8)}"
        self.file: BinaryIO = self.path.open("wb")
        self.hash = hashlib.sha256()
        self.size = 0
        self.head = b""
        self.kind: str | None = None

    def write(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.limit:
            raise TooLarge(
                f"file: larger than the limit of {self.limit} bytes",
                field="file",
                limit=self.limit,
            )
        if self.kind is None and len(self.head) < HEAD:
            self.head += data[: HEAD - len(self.head)]
            if len(self.head) >= HEAD:
                self.kind = sniff(self.head)
                if self.kind is None:
                    raise refuse_type(None)
        self.hash.update(data)
        self.file.write(data)

    def finish(self) -> tuple[str, str]:
        """(sha256, type) of the complete file; a file too short to be one of the
        allowed types is refused."""
        self.file.flush()
        self.file.close()
        if self.size == 0:
            raise UploadRefused("file: the file is empty", field="file")
        if self.kind is None:
            self.kind = sniff(self.head)
            if self.kind is None:
                raise refuse_type(None)
        return self.hash.hexdigest(), self.kind

    def discard(self) -> None:
        if not self.file.closed:
            self.file.close()
        self.path.unlink(missing_ok=True)


@dataclass
class AttachmentStore:
    """Blobs by hash plus the metadata index; `limit` is the largest file kept."""

    blobs: BlobStore
    index: UploadIndex
    limit: int = DEFAULT_LIMIT

    def __post_init__(self) -> None:
        if not 0 < self.limit <= MAX_SIZE:
            raise ValueError(f"the attachment limit must be 1 to {MAX_SIZE} bytes")

    def incoming(self) -> Incoming:
        return Incoming(self.blobs.scratch(), self.limit)

    def keep(self, incoming: Incoming, uploaded_by: str) -> tuple[Upload, bool]:
        """Stores a finished upload once; (its metadata, whether it is new)."""
        try:
            sha256, kind = incoming.finish()
            known = self.index.get(sha256)
            if known is not None and self.blobs.has(sha256):
                return known, False
            if not confirmed(incoming.path, kind):
                raise refuse_type(kind)
            exif = read_exif(incoming.path, kind)
            self.blobs.put(sha256, incoming.path, kind)
            upload = Upload(
                sha256=sha256,
                size=incoming.size,
                type=kind,
                uploaded_at=datetime.now(UTC).isoformat(),
                uploaded_by=uploaded_by,
                taken_at=exif.taken_at,
                lat=exif.lat,
                lon=exif.lon,
            )
            return self.index.add(upload)
        finally:
            incoming.discard()

    def get(self, sha256: str) -> Upload | None:
        return self.index.get(sha256)

    def chunks(self, sha256: str) -> Iterator[bytes]:
        return self.blobs.chunks(sha256)

    def read(self, sha256: str) -> bytes:
        return b"".join(self.blobs.chunks(sha256))


def open_attachments(recorder: Any, location: str, limit: int) -> AttachmentStore:
    return AttachmentStore(open_blobs(location), UploadIndex(recorder), limit)
