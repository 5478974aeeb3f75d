"""The one place where errors become answers: {"error": {code, message, details}}."""

from __future__ import annotations

import sqlite3
from typing import Any

import psycopg
import psycopg_pool
import structlog
from eventsourcing.persistence import InterfaceError, InternalError, OperationalError
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException

from application.errors import NotAllowed, WriteNotStored
from domain.errors import Conflict, DomainError, InvalidValue, NotFound
from interfaces.i18n.errors import translate

log = structlog.get_logger("jaga.http")

RETRY_AFTER_SECONDS = 2
UNAVAILABLE = (
    OperationalError,
    InterfaceError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
    psycopg_pool.PoolTimeout,
    sqlite3.OperationalError,
    ConnectionError,
    # A store that refuses writes (a read-only standby after failover) is down for
    # writers, not broken.
    InternalError,
    psycopg.InternalError,
)
HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    408: "request_timeout",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_value",
    429: "too_many_attempts",
    503: "unavailable",
}


class ApiError(Exception):
    """An answer the HTTP layer decides itself: auth, size, unknown routes."""

    def __init__(self, status: int, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details


def unauthorized(message: str) -> ApiError:
    return ApiError(401, "unauthorized", message)


def forbidden(message: str, **details: Any) -> ApiError:
    return ApiError(403, "forbidden", message, **details)


def body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    """The error answer; the message in the request's language (Accept-Language),
    the code and details as they are."""
    return {
        "error": {
            "code": code,
            "message": translate(code, message, details or {}),
            "details": jsonable_encoder(details or {}),
        }
    }


def answer(
    status: int,
    code: str,
    message: str,
    details: Any = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(
        body(code, message, details), status_code=status, headers=headers
    )


def domain_status(error: DomainError) -> int:
    if isinstance(error, NotAllowed) or error.code == "enrolment_invalid":
        return 403
    if isinstance(error, InvalidValue):
        return 422
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, Conflict):
        return 409
    return 422


def _field(loc: tuple[Any, ...]) -> str:
    # ("body", "roster", 0) -> "roster[0]"; the location kind is kept for queries.
    parts = list(loc[1:]) if loc and loc[0] == "body" else list(loc)
    text = ""
    for part in parts:
        text += (
            f"[{part}]"
            if isinstance(part, int)
            else (f".{part}" if text else str(part))
        )
    return text or "body"


def _ctx(ctx: dict[str, Any]) -> dict[str, Any]:
    # ctx may hold the exception a validator raised; its text is what matters.
    return {
        k: v if isinstance(v, int | float | str | bool) else str(v)
        for k, v in ctx.items()
    }


def validation_body(errors: list[Any]) -> dict[str, Any]:
    problems = [
        {
            "field": _field(tuple(e.get("loc", ()))),
            "message": e.get("msg", ""),
            "type": e.get("type", ""),
            **({"ctx": _ctx(e["ctx"])} if e.get("ctx") else {}),
        }
        for e in errors
    ]
    first = problems[0] if problems else {"field": "body", "message": "invalid"}
    return body(
        "invalid_value",
        f"{first['field']}: {first['message']}",
        {"field": first["field"], "errors": problems},
    )


def validation_answer(errors: list[Any]) -> JSONResponse:
    return JSONResponse(validation_body(errors), status_code=422)


def outcome(error: Exception) -> tuple[int, dict[str, Any]]:
    """The status and body an error answers with, for a batch item."""
    if isinstance(error, DomainError):
        return domain_status(error), body(error.code, error.message, error.details)
    if isinstance(error, ApiError):
        return error.status, body(error.code, error.message, error.details)
    if isinstance(error, ValidationError):
        return 422, validation_body(list(error.errors()))
    if isinstance(error, WriteNotStored):
        return 503, not_stored_body(error)
    if isinstance(error, UNAVAILABLE):
        return 503, body("unavailable", "the store is unreachable; try again shortly")
    log.error("unexpected_batch_error", error=repr(error))
    return 500, body("internal_error", "something went wrong on the server")


def unavailable_answer() -> JSONResponse:
    return answer(
        503,
        "unavailable",
        "the store is unreachable; try again shortly",
        None,
        {"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def not_stored_body(error: WriteNotStored) -> dict[str, Any]:
    return body("unavailable", str(error), {"reason": error.reason})


def allowed_methods(request: Request) -> list[str]:
    """Every method some route answers at this path (routes split by method)."""
    path = request.url.path
    methods: set[str] = set()
    for route in getattr(request.app.state, "routes", []):
        if route.path_regex.match(path):
            methods |= set(route.methods or ())
    return sorted(methods)


def install(app: FastAPI) -> None:
    """Registers every mapping on the app."""

    @app.exception_handler(DomainError)
    async def domain_error(_: Request, error: DomainError) -> JSONResponse:
        return answer(domain_status(error), error.code, error.message, error.details)

    @app.exception_handler(ApiError)
    async def api_error(_: Request, error: ApiError) -> JSONResponse:
        wait = error.details.get("retry_after_seconds")
        headers = None if wait is None else {"Retry-After": str(wait)}
        return answer(error.status, error.code, error.message, error.details, headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(
        _: Request, error: RequestValidationError
    ) -> JSONResponse:
        return validation_answer(list(error.errors()))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> JSONResponse:
        if error.status_code == 400:
            # FastAPI's answer to a body that is not JSON: invalid input, like others.
            return answer(
                422, "invalid_value", "body: must be a JSON object", {"field": "body"}
            )
        headers = dict(error.headers or {})
        if error.status_code == 405:
            headers["Allow"] = ", ".join(allowed_methods(request))
        code = HTTP_CODES.get(error.status_code, "error")
        message = error.detail if isinstance(error.detail, str) else code
        return answer(error.status_code, code, message, None, headers)

    @app.exception_handler(WriteNotStored)
    async def not_stored(request: Request, error: WriteNotStored) -> JSONResponse:
        log.warning("write_not_stored", reason=error.reason, path=request.url.path)
        return JSONResponse(
            not_stored_body(error),
            status_code=503,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )

    for kind in UNAVAILABLE:

        @app.exception_handler(kind)
        async def store_down(request: Request, error: Exception) -> JSONResponse:
            log.warning(
                "store_unavailable", error=type(error).__name__, path=request.url.path
            )
            jaga = getattr(request.app.state, "jaga", None)
            prune = getattr(getattr(jaga, "recorder", None), "prune", None)
            if prune is not None:  # other pooled connections may be dead too
                prune()
            return unavailable_answer()

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("unexpected_error", path=request.url.path)
        return answer(500, "internal_error", "something went wrong on the server")
