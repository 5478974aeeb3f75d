"""The dashboard's query parameters, checked: bad input is a clear 422, never a 500."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from domain.regions import ZONES
from interfaces.http.errors import ApiError
from interfaces.http.schemas import SLUG_PATTERN

SLUG = re.compile(SLUG_PATTERN)


def invalid(field: str, why: str) -> ApiError:
    return ApiError(422, "invalid_value", f"{field}: {why}", field=field)


def choice(params: Any, name: str, allowed: tuple[str, ...]) -> str | None:
    value = params.get(name) or None
    if value is not None and value not in allowed:
        raise invalid(name, f"must be one of {', '.join(allowed)}")
    return value


def slug(params: Any, name: str) -> str | None:
    value = params.get(name) or None
    if value is not None and not SLUG.match(value):
        raise invalid(name, "is not a valid id")
    return value


def cursor(params: Any) -> str | None:
    value = params.get("cursor") or None
    if value is not None and len(value) > 500:
        raise invalid("cursor", "is too long")
    return value


def as_of(params: Any) -> dict[str, Any]:
    """The as-of control: a local date and time in a chosen zone, or a log position."""
    found: dict[str, Any] = {"as_of": None, "as_of_position": None}
    position = (params.get("as_of_position") or "").strip()
    moment = (params.get("as_of") or "").strip()
    zone = params.get("zone") or "WIB"
    if zone not in ZONES:
        raise invalid("zone", "must be WIB, WITA or WIT")
    if position:
        if not position.isdigit() or len(position) > 18:
            raise invalid("as_of_position", "must be a whole number from 0")
        found["as_of_position"] = int(position)
    elif moment:
        try:
            local = datetime.fromisoformat(moment)
        except ValueError:
            raise invalid("as_of", "must be a date and time") from None
        if local.tzinfo is None:
            local = local.replace(tzinfo=ZONES[zone])
        found["as_of"] = local
    return found


def query(values: dict[str, Any]) -> str:
    kept = {k: v for k, v in values.items() if v not in (None, "")}
    return urlencode(kept)
