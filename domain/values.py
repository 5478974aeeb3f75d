"""Value rules shared by every aggregate: ids, times, choices, numbers, text."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.errors import InvalidValue

SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
JAGA_NAMESPACE = uuid5(NAMESPACE_URL, "https://jaga.local/ids")
MAX_TEXT = 10_000
EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
LATEST = datetime(9999, 12, 30, tzinfo=UTC)


def named_id(kind: str, slug: str) -> UUID:
    """The aggregate id of a caller-chosen slug, stable across stores."""
    return uuid5(JAGA_NAMESPACE, f"{kind}/{slug}")


def slug(value: object, field: str) -> str:
    if not isinstance(value, str) or not SLUG.match(value):
        raise InvalidValue(
            field,
            "must be a slug: lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter or digit, at most 64 characters",
        )
    return value


def slugs(values: object, field: str, *, allow_empty: bool = False) -> list[str]:
    if not isinstance(values, (list, tuple)):
        raise InvalidValue(field, "must be a list")
    if not values and not allow_empty:
        raise InvalidValue(field, "must not be empty")
    result = [slug(v, f"{field}[{i}]") for i, v in enumerate(values)]
    if len(set(result)) != len(result):
        raise InvalidValue(field, "must not repeat an id")
    return result


def aware(value: object, field: str) -> datetime:
    """A timezone-aware time, normalised to UTC; naive times are refused."""
    if not isinstance(value, datetime):
        raise InvalidValue(field, "must be a date and time")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidValue(field, "must include a timezone offset, e.g. +07:00")
    # A day's margin keeps every later conversion to a local zone in range.
    if not EARLIEST <= value <= LATEST:
        raise InvalidValue(field, "is out of range (years 0001 to 9999)")
    return value.astimezone(UTC)


def optional_aware(value: object, field: str) -> datetime | None:
    return None if value is None else aware(value, field)


def choice(value: object, field: str, allowed: Iterable[str]) -> str:
    options = tuple(allowed)
    if value not in options:
        raise InvalidValue(field, f"must be one of {', '.join(options)}")
    assert isinstance(value, str)
    return value


def text(
    value: object, field: str, *, required: bool = True, limit: int = MAX_TEXT
) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise InvalidValue(field, "must be text")
    if required and not value.strip():
        raise InvalidValue(field, "must not be empty")
    if len(value) > limit:
        raise InvalidValue(field, f"must be at most {limit} characters")
    return value


def texts(values: object, field: str, *, limit: int = 500) -> list[str]:
    if values is None:
        return []
    if not isinstance(values, (list, tuple)):
        raise InvalidValue(field, "must be a list of text")
    return [text(v, f"{field}[{i}]", limit=limit) for i, v in enumerate(values)]


def integer(value: object, field: str, *, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidValue(field, "must be a whole number")
    if not low <= value <= high:
        raise InvalidValue(field, f"must be between {low} and {high}")
    return value


def optional_integer(value: object, field: str, *, low: int, high: int) -> int | None:
    return None if value is None else integer(value, field, low=low, high=high)


def coordinate(value: object, field: str, *, limit: float) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidValue(field, "must be a number")
    if not -limit <= float(value) <= limit:
        raise InvalidValue(field, f"must be between -{limit} and {limit}")
    return float(value)


def one_of(field_a: str, a: object, field_b: str, b: object) -> None:
    """Exactly one of two alternative fields must be given."""
    given = [
        a is not None and a != [] and a != "",
        b is not None and b != [] and b != "",
    ]
    if given.count(True) != 1:
        raise InvalidValue(
            field_a, f"give either {field_a} or {field_b}, not both or none"
        )


def ordered(
    first: datetime, second: datetime | None, field: str, first_field: str
) -> None:
    if second is not None and second < first:
        raise InvalidValue(field, f"must not be before {first_field}")


def distinct_ids(values: Sequence[str]) -> bool:
    return len(set(values)) == len(values)
