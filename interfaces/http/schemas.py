"""Shared pydantic types of the API: strict bodies, ids, times, answers and errors."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
)

from application.access import ROLES
from application.commands.fields import SLUG_PATTERN as SLUG_PATTERN
from application.commands.fields import Name as Name
from application.commands.fields import ServerId as ServerId
from application.commands.fields import Short as Short
from application.commands.fields import SiteKind as SiteKind
from application.commands.fields import Slug as Slug
from domain.values import EARLIEST, LATEST

# Printable text without control characters: it is stored as text.
IDEMPOTENCY_KEY_PATTERN = r"^[^\x00-\x1f\x7f]{1,200}$"
IdempotencyKey = Annotated[
    str, Strict(), StringConstraints(pattern=IDEMPOTENCY_KEY_PATTERN)
]
Role = Literal[ROLES]  # type: ignore[valid-type]
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _iso(value: Any) -> Any:
    # Pydantic would read "0.5" as a Unix time; the API speaks ISO 8601 only.
    if not isinstance(value, str) or not ISO_DATE.match(value):
        raise ValueError(
            "must be an ISO 8601 date or time, e.g. 2024-02-14T07:00+07:00"
        )
    return value


def _in_range(value: datetime) -> datetime:
    # A day's margin, as for times in events: every conversion to a zone, and a
    # day either side, stays inside what Python can hold.
    if not EARLIEST <= value <= LATEST:
        raise ValueError("is out of range (years 0001 to 9999)")
    return value


QueryTime = Annotated[AwareDatetime, BeforeValidator(_iso), AfterValidator(_in_range)]
QueryDate = Annotated[date, BeforeValidator(_iso)]
Limit = Annotated[int, Field(ge=1, le=1000)]


class Body(BaseModel):
    """A request body: unknown fields are refused; times need an offset."""

    model_config = ConfigDict(extra="forbid")

    def fields(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class EventRef(BaseModel):
    event_id: str
    position: int
    type: str
    recorded_at: str


class WriteAnswer(BaseModel):
    """The answer to a write: the aggregate's id and the (last) event written."""

    id: str
    event_id: str
    position: int
    type: str
    recorded_at: str
    events: list[EventRef]


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: Any = None


class ErrorBody(BaseModel):
    error: ErrorDetail


class Page(BaseModel):
    items: list[dict[str, Any]]
    next: str | None = None
    as_of_position: int | None = None


ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text}
    for status, text in (
        (401, "no key or an unknown or revoked key"),
        (403, "the key's role or regions do not allow this"),
        (404, "unknown id"),
        (409, "conflict: the state does not allow this, or a reused Idempotency-Key"),
        (413, "request body too large"),
        (422, "invalid input: which field, and why"),
        (503, "the store is unreachable; retry after Retry-After seconds"),
    )
}
