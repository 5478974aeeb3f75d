"""Streaming a multipart upload into the attachment store, part by part, without
holding the file in memory and without reading past the size limit."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from infrastructure.attachments.store import Incoming, UploadRefused
from interfaces.http.errors import ApiError

FIELD = "file"


def _invalid(message: str) -> ApiError:
    return ApiError(422, "invalid_value", f"{FIELD}: {message}", field=FIELD)


def boundary_of(request: Request) -> bytes:
    kind, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise ApiError(
            415,
            "unsupported_media_type",
            "send the file as multipart/form-data in a field named 'file'",
            field=FIELD,
        )
    return boundary


class _Parts:
    """The parser's callbacks: the one part named `file` goes to `incoming`."""

    def __init__(self, incoming: Incoming) -> None:
        self.incoming = incoming
        self.headers: dict[bytes, bytes] = {}
        self.field = b""
        self.value = b""
        self.writing = False
        self.files = 0
        self.done = False

    def callbacks(self) -> Any:
        return {
            "on_part_begin": self.part_begin,
            "on_header_field": self.header_field,
            "on_header_value": self.header_value,
            "on_header_end": self.header_end,
            "on_headers_finished": self.headers_finished,
            "on_part_data": self.part_data,
            "on_part_end": self.part_end,
            "on_end": self.end,
        }

    def part_begin(self) -> None:
        self.headers, self.field, self.value = {}, b"", b""

    def header_field(self, data: bytes, start: int, end: int) -> None:
        self.field += data[start:end]

    def header_value(self, data: bytes, start: int, end: int) -> None:
        self.value += data[start:end]

    def header_end(self) -> None:
        self.headers[self.field.strip().lower()] = self.value.strip()
        self.field, self.value = b"", b""

    def headers_finished(self) -> None:
        kind, options = parse_options_header(
            self.headers.get(b"content-disposition", b"")
        )
        if kind != b"form-data" or options.get(b"name") != FIELD.encode():
            raise _invalid("the only part allowed is the file, in a field named 'file'")
        self.files += 1
        if self.files > 1:
            raise _invalid("send one file per upload")
        self.writing = True

    def part_data(self, data: bytes, start: int, end: int) -> None:
        if self.writing:
            self.incoming.write(data[start:end])

    def part_end(self) -> None:
        self.writing = False

    def end(self) -> None:
        self.done = True


async def receive_file(request: Request, incoming: Incoming) -> None:
    """Feeds the request's file part into `incoming` as it arrives; errors answer
    413 (too large), 415 (not an allowed type) or 422 (not a usable form)."""
    parts = _Parts(incoming)
    parser = MultipartParser(boundary_of(request), parts.callbacks())
    try:
        async for chunk in request.stream():
            if chunk:
                parser.write(chunk)
        parser.finalize()
    except UploadRefused as refused:
        raise ApiError(
            refused.status, refused.code, refused.message, **refused.details
        ) from None
    except MultipartParseError as error:
        raise _invalid(f"the multipart body is malformed ({error})") from None
    if parts.files == 0 or not parts.done:
        raise _invalid("no file was sent (a form field named 'file')")
