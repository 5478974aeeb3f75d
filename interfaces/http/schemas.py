"""Shared pydantic types of the API: strict bodies, ids, times, answers and errors."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
)

from application.access import ROLES
from domain import checkin, custody, incident, neutrality, patrol, site, unit
from domain.regions import ZONES

SLUG_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,63}$"

# Body fields are strict: "3" is not a number and 1 is not text.
Slug = Annotated[str, Strict(), StringConstraints(pattern=SLUG_PATTERN)]
# Server-made ids (incidents, patrols, shifts, ...): unknown ones answer 404.
ServerId = Annotated[str, Strict(), StringConstraints(min_length=1, max_length=64)]
Aware = AwareDatetime
Name = Annotated[str, Strict(), StringConstraints(min_length=1, max_length=200)]
Short = Annotated[str, Strict(), StringConstraints(min_length=1, max_length=100)]
Line = Annotated[str, Strict(), StringConstraints(max_length=500)]
Text = Annotated[str, Strict(), StringConstraints(max_length=10_000)]
Lat = Annotated[float, Strict(), Field(ge=-90, le=90)]
Lon = Annotated[float, Strict(), Field(ge=-180, le=180)]
Severity = Annotated[int, Strict(), Field(ge=1, le=4)]
Count = Annotated[int, Strict(), Field(ge=0, le=10_000)]
Flag = Annotated[bool, Strict()]
Minutes = Annotated[int, Strict(), Field(ge=1, le=30 * 24 * 60)]

# The choices of the domain, as schema enums: one list each, kept in domain/.
SiteKind = Literal[site.KINDS]  # type: ignore[valid-type]
Posture = Literal[site.POSTURES]  # type: ignore[valid-type]
Level = Literal[site.ALERT_LEVELS]  # type: ignore[valid-type]
Zone = Literal[tuple(ZONES)]  # type: ignore[misc]
UnitKind = Literal[unit.UNIT_KINDS]  # type: ignore[valid-type]
Category = Literal[incident.CATEGORIES]  # type: ignore[valid-type]
PatrolKind = Literal[patrol.KINDS]  # type: ignore[valid-type]
Condition = Literal[patrol.CONDITIONS]  # type: ignore[valid-type]
Method = Literal[checkin.METHODS]  # type: ignore[valid-type]
SealStatus = Literal[custody.SEAL_STATUSES]  # type: ignore[valid-type]
Direction = Literal[custody.DIRECTIONS]  # type: ignore[valid-type]
Finding = Literal[neutrality.FINDINGS]  # type: ignore[valid-type]
Forward = Literal[neutrality.FORWARDS]  # type: ignore[valid-type]
Role = Literal[ROLES]  # type: ignore[valid-type]
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _iso(value: Any) -> Any:
    # Pydantic would read "0.5" as a Unix time; the API speaks ISO 8601 only.
    if not isinstance(value, str) or not ISO_DATE.match(value):
        raise ValueError(
            "must be an ISO 8601 date or time, e.g. 2024-02-14T07:00+07:00"
        )
    return value


QueryTime = Annotated[AwareDatetime, BeforeValidator(_iso)]
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
