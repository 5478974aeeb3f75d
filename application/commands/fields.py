"""The kinds of value a command's fields hold, each with its rules, written once.

Every command (HTTP body, batch item, imported line, demo step) and every
correction of a recorded value is checked against these. Fields that name a
recorded thing say what they name (`Names`), so a command's regions and the
aggregates it reads are known before it runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, get_args, get_origin

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
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from domain import (
    checkin,
    custody,
    evidence,
    incident,
    neutrality,
    patrol,
    site,
    unit,
)
from domain.regions import ZONE_NAMES
from domain.values import EARLIEST, LATEST

SLUG_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,63}$"
MAX_TEXT = 10_000


@dataclass(frozen=True)
class Names:
    """Marks a field whose value names a recorded thing of this kind."""

    kind: str  # site, unit, personnel, incident, patrol, concern, assignment, event


def _not_blank(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("blank_text", "must not be empty")
    return value


def _time_given(value: object) -> object:
    # Read as ISO 8601 text or a time, never as a number of seconds.
    if not isinstance(value, (str, datetime)):
        raise PydanticCustomError(
            "time_text",
            "must be an ISO 8601 date or time, e.g. 2024-02-14T07:00+07:00",
        )
    return value


def _in_range(value: datetime) -> datetime:
    # A day's margin keeps every later conversion to a local zone in range.
    if not EARLIEST <= value <= LATEST:
        raise PydanticCustomError(
            "time_out_of_range", "is out of range (years 0001 to 9999)"
        )
    return value.astimezone(UTC)


def _distinct(values: list[str]) -> list[str]:
    if len(set(values)) != len(values):
        raise PydanticCustomError("repeated_id", "must not repeat an id")
    return values


NotBlank = AfterValidator(_not_blank)
Distinct = AfterValidator(_distinct)
Slug = Annotated[str, Strict(), StringConstraints(pattern=SLUG_PATTERN)]
# Server-made ids (incidents, patrols, shifts, ...): an unknown one answers 404.
ServerId = Annotated[str, Strict(), StringConstraints(min_length=1, max_length=64)]
SiteRef = Annotated[Slug, Names("site")]
UnitRef = Annotated[Slug, Names("unit")]
PersonRef = Annotated[Slug, Names("personnel")]
IncidentRef = Annotated[ServerId, Names("incident")]
PatrolRef = Annotated[ServerId, Names("patrol")]
ConcernRef = Annotated[ServerId, Names("concern")]
AssignmentRef = Annotated[ServerId, Names("assignment")]
EventRef = Annotated[ServerId, Names("event")]
Aware = Annotated[
    AwareDatetime, BeforeValidator(_time_given), AfterValidator(_in_range)
]
# Required text is not blank; optional text may be left out (recorded as empty).
Name = Annotated[str, Strict(), StringConstraints(max_length=200), NotBlank]
Short = Annotated[str, Strict(), StringConstraints(max_length=100), NotBlank]
PlaceName = Annotated[str, Strict(), StringConstraints(max_length=500), NotBlank]
Reason = Annotated[str, Strict(), StringConstraints(max_length=2000), NotBlank]
Items = Annotated[str, Strict(), StringConstraints(max_length=2000), NotBlank]
Location = Annotated[str, Strict(), StringConstraints(max_length=300), NotBlank]
Resolution = Annotated[str, Strict(), StringConstraints(max_length=5000), NotBlank]
OptionalLong = Annotated[str, Strict(), StringConstraints(max_length=5000)]
Text = Annotated[str, Strict(), StringConstraints(max_length=MAX_TEXT), NotBlank]
OptionalName = Annotated[str, Strict(), StringConstraints(max_length=200)]
OptionalLine = Annotated[str, Strict(), StringConstraints(max_length=500)]
OptionalText = Annotated[str, Strict(), StringConstraints(max_length=MAX_TEXT)]
Lat = Annotated[float, Strict(), Field(ge=-90, le=90, allow_inf_nan=False)]
Lon = Annotated[float, Strict(), Field(ge=-180, le=180, allow_inf_nan=False)]
Severity = Annotated[int, Strict(), Field(ge=1, le=4)]
Count = Annotated[int, Strict(), Field(ge=0, le=10_000)]
Headcount = Annotated[int, Strict(), Field(ge=1, le=10_000)]
Flag = Annotated[bool, Strict()]
CheckinMinutes = Annotated[int, Strict(), Field(ge=1, le=7 * 24 * 60)]
PatrolMinutes = Annotated[int, Strict(), Field(ge=1, le=30 * 24 * 60)]
SiteRefs = Annotated[list[SiteRef], Field(min_length=1, max_length=500), Distinct]
UnitRefs = Annotated[list[UnitRef], Field(min_length=1, max_length=500), Distinct]
PersonRefs = Annotated[list[PersonRef], Field(min_length=1, max_length=500), Distinct]
SomeUnitRefs = Annotated[list[UnitRef], Field(max_length=500), Distinct]
SomePersonRefs = Annotated[list[PersonRef], Field(max_length=500), Distinct]
Notes = Annotated[
    list[Annotated[str, Strict(), StringConstraints(max_length=300)]],
    Field(max_length=100),
]
EvidenceRefs = Annotated[
    list[Annotated[str, Strict(), StringConstraints(max_length=500)]],
    Field(max_length=100),
]
SealNumbers = Annotated[list[Short], Field(min_length=1, max_length=500)]


class AttachmentRef(BaseModel):
    """An uploaded file as an event names it; that it was uploaded with this size
    and type is checked when the command runs (UnitOfWork.attachments)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sha256: Annotated[str, Strict(), StringConstraints(pattern=evidence.SHA256.pattern)]
    size: Annotated[int, Strict(), Field(ge=1, le=evidence.MAX_SIZE)]
    type: Literal[evidence.TYPES]  # type: ignore[valid-type]


def _distinct_files(values: list[AttachmentRef]) -> list[AttachmentRef]:
    if len({v.sha256 for v in values}) != len(values):
        raise PydanticCustomError("repeated_file", "names an attachment twice")
    return values


Attachments = Annotated[
    list[AttachmentRef],
    Field(max_length=evidence.MAX_PER_EVENT),
    AfterValidator(_distinct_files),
]
SomeSealNumbers = Annotated[list[Short], Field(max_length=500)]

# The choices of the domain, as schema enums: one list each, kept in domain/.
SiteKind = Literal[site.KINDS]  # type: ignore[valid-type]
Posture = Literal[site.POSTURES]  # type: ignore[valid-type]
Level = Literal[site.ALERT_LEVELS]  # type: ignore[valid-type]
Zone = Literal[ZONE_NAMES]  # type: ignore[valid-type]
UnitKind = Literal[unit.UNIT_KINDS]  # type: ignore[valid-type]
Category = Literal[incident.CATEGORIES]  # type: ignore[valid-type]
PatrolKind = Literal[patrol.KINDS]  # type: ignore[valid-type]
Condition = Literal[patrol.CONDITIONS]  # type: ignore[valid-type]
Method = Literal[checkin.METHODS]  # type: ignore[valid-type]
SealStatus = Literal[custody.SEAL_STATUSES]  # type: ignore[valid-type]
Direction = Literal[custody.DIRECTIONS]  # type: ignore[valid-type]
Finding = Literal[neutrality.FINDINGS]  # type: ignore[valid-type]
Forward = Literal[neutrality.FORWARDS]  # type: ignore[valid-type]


def named(info: FieldInfo) -> Names | None:
    """What a field names, if anything: on the field or on its list's items."""
    for meta in info.metadata:
        if isinstance(meta, Names):
            return meta
    return _names_in(info.annotation)


def _names_in(annotation: Any) -> Names | None:
    for arg in get_args(annotation):
        if isinstance(arg, Names):
            return arg
        if get_origin(arg) is not None or get_args(arg):
            found = _names_in(arg)
            if found is not None:
                return found
    return None


def values_of(value: object) -> Sequence[str]:
    """A named field's ids: one, several, or none."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    items: Sequence[object] = value  # type: ignore[assignment]
    return tuple(v for v in items if isinstance(v, str))
