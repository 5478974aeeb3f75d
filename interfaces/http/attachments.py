"""Evidence: upload a photo or document once, name it in events by SHA-256, size and
type, and read it back under the rules of the events that name it."""

from __future__ import annotations

import itertools
from typing import Annotated, Any

import structlog
from botocore.exceptions import BotoCoreError, ClientError
from fastapi import APIRouter, Depends, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel

from application.attachments import Upload
from infrastructure.attachments.references import Reference, references, visible
from infrastructure.attachments.store import AttachmentStore, UploadRefused
from infrastructure.views.wiring import view_store
from interfaces.http.deps import Caller, reader, writer
from interfaces.http.errors import ApiError, forbidden, unavailable_answer
from interfaces.http.reading import Fresh
from interfaces.http.schemas import ERRORS
from interfaces.http.uploads import receive_file

router = APIRouter(prefix="/api/v1", responses=ERRORS, tags=["attachments"])
log = structlog.get_logger("jaga.attachments")
# The folder or the object store failing (full disk, S3 unreachable) is an outage.
STORE_DOWN = (OSError, BotoCoreError, ClientError)

Uploader = Annotated[Caller, Depends(writer("attachment.write"))]
Reader = Annotated[Caller, Depends(reader("attachment.read"))]
Sha256 = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$", description="SHA-256, hex")]
EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/pdf": "pdf",
}


class UploadAnswer(BaseModel):
    sha256: str
    size: int
    type: str
    uploaded_at: str
    uploaded_by: str
    taken_at: str | None
    lat: float | None
    lon: float | None
    created: bool


class Referencing(BaseModel):
    position: int
    event_id: str
    type: str
    site_id: str | None


class AttachmentMeta(UploadAnswer):
    referenced_by: list[Referencing]


def _store(request: Request) -> AttachmentStore:
    store: AttachmentStore = request.app.state.attachments
    return store


@router.post(
    "/attachments",
    status_code=201,
    response_model=UploadAnswer,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {"file": {"type": "string", "format": "binary"}},
                    }
                }
            },
        }
    },
    responses={
        200: {"model": UploadAnswer, "description": "these bytes were uploaded before"},
        415: {"description": "not a JPEG, PNG, WebP image or PDF document"},
    },
)
async def upload(request: Request, w: Uploader) -> Any:
    """Upload one file (field `file`); the answer names it for events: `sha256`,
    `size`, `type`. The same bytes again answer 200 and are stored once."""
    store = _store(request)
    incoming = await run_in_threadpool(store.incoming)
    try:
        await receive_file(request, incoming)
        kept, created = await run_in_threadpool(store.keep, incoming, w.key.key_id)
    except UploadRefused as refused:
        raise ApiError(
            refused.status, refused.code, refused.message, **refused.details
        ) from None
    except STORE_DOWN as error:
        log.warning("attachment_store_unavailable", error=repr(error))
        return unavailable_answer()
    finally:
        incoming.discard()
    answer = {**kept.as_dict(), "created": created}
    return JSONResponse(answer, status_code=201 if created else 200)


def _visible(r: Caller, sha256: str) -> tuple[Upload, list[Reference]]:
    """The upload and the events naming it that this key may see: 404 when no
    event names it (an upload nobody referenced is never shown), 403 when every
    event naming it is outside the key's regions or hidden from its role."""
    upload = _store(r.request).get(sha256)
    found = references(view_store(r.app), sha256) if upload else []
    if upload is None or not found:
        raise ApiError(404, "not_found", f"unknown attachment: {sha256}", id=sha256)
    hidden = (
        r.request.app.state.read_model.covert_site_ids()
        if r.role == "bawaslu"
        else set()
    )
    seen = visible(found, r.scope, hidden)
    if not seen:
        if hidden and visible(found, r.scope, set()):
            raise forbidden("evidence from covert sites is not shown to Bawaslu")
        raise forbidden("this attachment is outside this key's regions")
    return upload, seen


@router.get("/attachments/{sha256}/meta", response_model=AttachmentMeta)
def attachment_meta(sha256: Sha256, r: Reader, _: Fresh) -> dict[str, Any]:
    """What was uploaded (with the photo's EXIF time and position), and the events
    naming it that this key may see."""
    upload, seen = _visible(r, sha256)
    return {
        **upload.as_dict(),
        "created": False,
        "referenced_by": [s.as_dict() for s in seen],
    }


@router.get(
    "/attachments/{sha256}",
    response_class=StreamingResponse,
    responses={200: {"content": {t: {} for t in EXTENSIONS}}},
)
def attachment(sha256: Sha256, r: Reader, _: Fresh) -> Response:
    """The file's bytes, as uploaded."""
    upload, _seen = _visible(r, sha256)
    name = f"{sha256}.{EXTENSIONS[upload.type]}"
    chunks = _store(r.request).chunks(sha256)
    try:
        first = next(chunks)  # an unreachable store answers 503 before any byte
    except STORE_DOWN as error:
        log.warning("attachment_store_unavailable", error=repr(error))
        return unavailable_answer()
    except StopIteration:
        first = b""
    return StreamingResponse(
        itertools.chain([first], chunks),
        media_type=upload.type,
        headers={
            "Content-Length": str(upload.size),
            "Content-Disposition": f'inline; filename="{name}"',
            "ETag": f'"{sha256}"',
            "Cache-Control": "private, max-age=31536000, immutable",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox; default-src 'none'",
        },
    )
