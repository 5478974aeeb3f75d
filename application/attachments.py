"""What a command needs of uploaded evidence: the references it names must be
uploads that exist, with the size and type the command says."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from domain.errors import InvalidValue
from domain.evidence import AttachmentRef, attachment_refs


@dataclass(frozen=True)
class Upload:
    """An uploaded file's metadata, kept beside the log (not in it)."""

    sha256: str
    size: int
    type: str
    uploaded_at: str
    uploaded_by: str
    taken_at: str | None = None  # the camera's time (EXIF), with its offset if given
    lat: float | None = None  # the camera's position (EXIF GPS)
    lon: float | None = None

    def ref(self) -> AttachmentRef:
        return AttachmentRef(self.sha256, self.size, self.type)

    def as_dict(self) -> dict[str, Any]:
        return {
            "sha256": self.sha256,
            "size": self.size,
            "type": self.type,
            "uploaded_at": self.uploaded_at,
            "uploaded_by": self.uploaded_by,
            "taken_at": self.taken_at,
            "lat": self.lat,
            "lon": self.lon,
        }


class Uploads(Protocol):
    """The metadata of uploaded files, shared by every server process."""

    def get(self, sha256: str) -> Upload | None: ...

    def get_many(self, sha256s: list[str]) -> dict[str, Upload]: ...


class NoUploads:
    """Where nothing was ever uploaded: every reference is refused."""

    def get(self, sha256: str) -> Upload | None:
        return None

    def get_many(self, sha256s: list[str]) -> dict[str, Upload]:
        return {}


NO_UPLOADS = NoUploads()


def checked_attachments(
    value: object, uploads: Uploads, field: str = "attachments"
) -> list[dict[str, Any]]:
    """The references as an event stores them; each must name an upload with that
    size and type, else the error names the field (`attachments[1].size`)."""
    refs = attachment_refs(value, field)
    found = uploads.get_many([r.sha256 for r in refs]) if refs else {}
    for i, ref in enumerate(refs):
        upload = found.get(ref.sha256)
        where = f"{field}[{i}]"
        if upload is None:
            raise InvalidValue(
                f"{where}.sha256", "no file with this SHA-256 was uploaded"
            )
        if upload.size != ref.size:
            raise InvalidValue(
                f"{where}.size", f"the uploaded file has {upload.size} bytes"
            )
        if upload.type != ref.type:
            raise InvalidValue(f"{where}.type", f"the uploaded file is {upload.type}")
    return [r.as_dict() for r in refs]
