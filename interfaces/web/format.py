"""How the dashboard shows times (in a site's zone, zone named) and durations."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from markupsafe import Markup, escape

from domain.regions import ZONES, zone_of

MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
OFFSETS = {"WIB": "UTC+7", "WITA": "UTC+8", "WIT": "UTC+9"}


def parse_time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def zone_for(row: dict[str, Any] | None) -> str | None:
    """A site row's zone: its own, else its province's."""
    if not row:
        return None
    zone = row.get("timezone")
    if zone in ZONES:
        return str(zone)
    return zone_of(str(row.get("province") or ""))


def local_text(value: Any, zone: str | None) -> str:
    """`24 Nov 2024 08:00 WIB`; UTC, named, when the zone is not known."""
    moment = parse_time(value)
    if moment is None:
        return ""
    if zone in ZONES:
        moment = moment.astimezone(ZONES[zone])
    else:
        zone = "UTC"
        moment = moment.astimezone(UTC)
    return (
        f"{moment.day} {MONTHS[moment.month - 1]} {moment.year} "
        f"{moment.hour:02d}:{moment.minute:02d} {zone}"
    )


def local_time(value: Any, zone: str | None) -> Markup:
    """A `<time>` element: the instant in UTC for machines, the site's clock for
    people."""
    text = local_text(value, zone)
    if not text:
        return Markup('<span class="none">—</span>')
    moment = parse_time(value)
    assert moment is not None
    title = OFFSETS.get(zone or "", "UTC")
    return Markup('<time datetime="{}" title="{}">{}</time>').format(
        moment.isoformat(), title, text
    )


def duration(seconds: Any) -> str:
    """`45 s`, `12 min`, `3 h 5 min`, `2 d 4 h`; a dash when not yet."""
    if not isinstance(seconds, int | float) or seconds < 0:
        return "—"
    whole = int(seconds)
    if whole < 60:
        return f"{whole} s"
    minutes = whole // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def label(value: Any) -> str:
    """`logistics_warehouse` -> `logistics warehouse`."""
    return str(value).replace("_", " ") if value is not None else ""


def value_text(value: Any) -> Markup:
    """An event field for people: lists joined, empties dashed, nesting flattened."""
    if value is None or value == "" or value == []:
        return Markup('<span class="none">—</span>')
    if isinstance(value, list):
        return Markup(", ").join(value_text(v) for v in value)
    if isinstance(value, dict):
        return Markup("; ").join(
            Markup("{}: {}").format(label(k), value_text(v)) for k, v in value.items()
        )
    if isinstance(value, bool):
        return Markup("yes" if value else "no")
    return Markup(escape(str(value)))
