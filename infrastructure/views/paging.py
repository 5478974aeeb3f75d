"""What every read checks and shares: limits, cursors, times, choices, regions,
LIKE patterns with the caller's text escaped, and a page of items."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from application.read import MAX_LIMIT, Page, Scope
from domain.errors import InvalidValue
from domain.values import aware
from infrastructure.views.tables import dumps

SITE_STATUSES = ("green", "amber", "red")
INCIDENT_STATUSES = ("open", "resolved", "closed")
PATROL_STATUSES = ("planned", "active", "ended")
PATROL_ORDER = {"active": 0, "planned": 1, "ended": 2}


def encode_cursor(value: int) -> str:
    return base64.urlsafe_b64encode(json.dumps([value]).encode()).decode().rstrip("=")


# Above any position or offset a list gives out, and inside every store's integers.
MAX_CURSOR = 2**53
MAX_CURSOR_TEXT = 64


def decode_cursor(cursor: str | None) -> int:
    if cursor is None:
        return 0
    try:
        if len(cursor) > MAX_CURSOR_TEXT:
            raise ValueError
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))[0]
    except (
        ValueError,
        IndexError,
        TypeError,
        KeyError,
        RecursionError,
        binascii.Error,
    ):
        raise InvalidValue("cursor", "is not a cursor this list gave out") from None
    # `true` is an int to Python; a cursor is only ever a plain whole number.
    if type(value) is not int or not 0 <= value <= MAX_CURSOR:
        raise InvalidValue("cursor", "is not a cursor this list gave out")
    return value


def check_limit(limit: int) -> int:
    if (
        isinstance(limit, bool)
        or not isinstance(limit, int)
        or not 1 <= limit <= MAX_LIMIT
    ):
        raise InvalidValue("limit", f"must be between 1 and {MAX_LIMIT}")
    return limit


def check_time(value: datetime | None, field: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise InvalidValue(field, "must be a date and time with a timezone offset")
    return aware(value, field)


def check_choice(value: str | None, field: str, allowed: Sequence[str]) -> None:
    if value is not None and value not in allowed:
        raise InvalidValue(field, f"must be one of {', '.join(allowed)}")


def in_scope(regions: Sequence[Sequence[str | None]], scope: Scope) -> bool:
    """Whether anything in `regions` ([province, regency]) lies inside `scope`."""
    if scope is None:
        return True
    return any(
        province == p and (r is None or regency == r)
        for province, regency in regions
        for p, r in scope
    )


def field_fragments(**fields: str | None) -> list[str]:
    """`"name":value` as the view writer encodes it, for each field given: text a
    document holding that value must contain, so the store can skip the others
    before any is decoded."""
    return [f"{dumps(k)}:{dumps(v)}" for k, v in fields.items() if v is not None]


def like_escaped(text: str) -> str:
    """`text` with LIKE's wildcards and escape character matching only themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def like_pattern(fragment: str) -> str:
    return f"%{like_escaped(fragment)}%"


def like_prefix(prefix: str) -> str:
    return f"{like_escaped(prefix)}%"


def page(
    items: list[Any],
    limit: int,
    cursor: str | None,
    position: int,
    shape: Callable[[Any], dict[str, Any]] | None = None,
) -> Page:
    """One page of `items`; `shape`, if given, makes the page's items only."""
    start = decode_cursor(cursor)
    chosen = items[start : start + check_limit(limit)]
    more = start + len(chosen) < len(items)
    nxt = encode_cursor(start + len(chosen)) if more else None
    shaped = chosen if shape is None else [shape(item) for item in chosen]
    return {"items": shaped, "next": nxt, "as_of_position": position}
