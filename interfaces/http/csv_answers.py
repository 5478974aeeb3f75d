"""CSV for every list the API answers: `?format=csv` or `Accept: text/csv` turns the
JSON answer, as filtered, scoped and redacted for the caller, into CSV rows.

One mechanism for every read: the JSON answer is made exactly as for JSON, then each
list in it becomes rows (a page's `items`; an answer with several lists, such as
the register's units and personnel, gets a `list` column). Nested objects become
dotted columns (`on_duty.headcount`), lists of plain values are joined with "; ",
lists of objects are kept as JSON text. Text that a spreadsheet would run as a
formula (beginning with =, +, -, @, tab or carriage return) gets a leading '.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from interfaces.http.errors import answer

MEDIA = "text/csv"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"  # spreadsheets then read the text as UTF-8


def wants_csv(scope: Scope) -> bool | None:
    """True for CSV, False for JSON, None for a `format` this API does not speak."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    chosen = query.get("format", [None])[-1]
    if chosen is not None:
        return {"csv": True, "json": False}.get(chosen)
    for key, value in scope.get("headers", []):
        if key == b"accept":
            for part in value.decode("latin-1").split(","):
                media, _, params = part.strip().partition(";")
                if media.strip().lower() == MEDIA and "q=0" not in params.replace(
                    " ", ""
                ).split(";"):
                    return True
    return False


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, list):
        if all(not isinstance(v, (dict, list)) for v in value):
            return "; ".join(cell(v) for v in value)
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_START) else text


def flatten(item: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in item.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            flat.update(flatten(value, f"{name}."))
        else:
            flat[name] = None if isinstance(value, dict) else value
    return flat


def rows_of(body: Any) -> list[dict[str, Any]]:
    """The rows of an answer: its `items`, else every list of objects in it (with
    a `list` column when it has several, even empty ones, so the columns do not
    depend on the data), else the answer as one row."""
    if isinstance(body, list):
        return [flatten(i) if isinstance(i, dict) else {"value": i} for i in body]
    if not isinstance(body, dict):
        return [{"value": body}]
    if isinstance(body.get("items"), list):
        return rows_of(body["items"])
    lists = {
        k: v
        for k, v in body.items()
        if isinstance(v, list) and all(isinstance(i, dict) for i in v)
    }
    if not any(lists.values()):
        return [flatten(body)]
    if len(lists) == 1:
        return rows_of(next(iter(lists.values())))
    return [{"list": k, **flatten(i)} for k, v in lists.items() for i in v]


def to_csv(body: Any) -> str:
    rows = rows_of(body)
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(list(columns))
    for row in rows:
        writer.writerow([cell(row.get(c)) for c in columns])
    return BOM + out.getvalue()


def file_name(path: str) -> str:
    tail = path.removeprefix("/api/v1/").strip("/").replace("/", "-") or "answer"
    return "jaga-" + "".join(c for c in tail if c.isalnum() or c in "-_.")[:100]


class CsvAnswers:
    """Turns the JSON answers of the API's reads into CSV when asked to."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or not scope.get("path", "").startswith("/api/v1/")
        ):
            await self.app(scope, receive, send)
            return
        chosen = wants_csv(scope)
        if chosen is None:
            refused = answer(
                422,
                "invalid_value",
                "format: must be json or csv",
                {"field": "format"},
            )
            await refused(scope, receive, send)
            return
        if not chosen:
            await self.app(scope, receive, send)
            return
        await self._as_csv(scope, receive, send)

    async def _as_csv(self, scope: Scope, receive: Receive, send: Send) -> None:
        start: Message = {}
        parts: list[bytes] = []

        async def keep(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                parts.append(message.get("body", b""))

        await self.app(scope, receive, keep)
        headers = [(k, v) for k, v in start.get("headers", [])]
        kind = dict(headers).get(b"content-type", b"")
        body = b"".join(parts)
        if start.get("status") != 200 or not kind.startswith(b"application/json"):
            await send(start)  # errors and non-JSON answers stay as they are
            await send({"type": "http.response.body", "body": body})
            return
        decoded = json.loads(body)
        data = to_csv(decoded).encode("utf-8")
        kept = [
            (k, v) for k, v in headers if k not in (b"content-type", b"content-length")
        ]
        extra = _page_headers(decoded)
        name = file_name(scope.get("path", ""))
        await send(
            {
                **start,
                "headers": [
                    *kept,
                    (b"content-type", b"text/csv; charset=utf-8"),
                    (b"content-length", str(len(data)).encode()),
                    (
                        b"content-disposition",
                        f'attachment; filename="{name}.csv"'.encode(),
                    ),
                    *extra,
                ],
            }
        )
        await send({"type": "http.response.body", "body": data})


def _page_headers(body: Any) -> list[tuple[bytes, bytes]]:
    """A page's cursor and position travel as headers, since CSV has no place."""
    if not isinstance(body, dict):
        return []
    found = []
    if isinstance(body.get("next"), str):
        found.append((b"x-next-cursor", body["next"].encode("latin-1", "replace")))
    if isinstance(body.get("as_of_position"), int):
        found.append((b"x-as-of-position", str(body["as_of_position"]).encode()))
    return found


def install(api: FastAPI) -> None:
    """Adds the middleware and documents `format` and text/csv on every read."""
    api.add_middleware(CsvAnswers)
    made: Callable[[], dict[str, Any]] = api.openapi

    def openapi() -> dict[str, Any]:
        if api.openapi_schema:
            return api.openapi_schema
        schema = made()
        for path, operations in schema.get("paths", {}).items():
            read = operations.get("get")
            ok = (read or {}).get("responses", {}).get("200", {})
            if not path.startswith("/api/v1/") or "application/json" not in ok.get(
                "content", {}
            ):
                continue
            assert read is not None
            read.setdefault("parameters", []).append(
                {
                    "name": "format",
                    "in": "query",
                    "required": False,
                    "description": "csv: the answer's list as CSV (or send "
                    "Accept: text/csv); the page's cursor is in X-Next-Cursor",
                    "schema": {"type": "string", "enum": ["json", "csv"]},
                }
            )
            ok["content"][MEDIA] = {"schema": {"type": "string"}}
        api.openapi_schema = schema
        return schema

    api.openapi = openapi  # type: ignore[method-assign]
