"""How pages show times (in a site's zone, zone named), durations, reasons and codes,
in the request's language."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from markupsafe import Markup, escape

from domain.regions import ZONES, zone_of
from interfaces.i18n import _, pgettext
from interfaces.i18n import label as code_label

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
    # Years at the edges cannot be moved into every zone; shown as not a time.
    if parsed.tzinfo is None or not 1 < parsed.year < 9999:
        return None
    return parsed


def zone_for(row: dict[str, Any] | None) -> str | None:
    """A site row's zone: its own, else its province's."""
    if not row:
        return None
    zone = row.get("timezone")
    if zone in ZONES:
        return str(zone)
    return zone_of(str(row.get("province") or ""))


def local_text(value: Any, zone: str | None) -> str:
    """`27 Nov 2024 07.05 WIB` (English `07:05`); UTC, named, when the zone is not
    known."""
    moment = parse_time(value)
    if moment is None:
        return ""
    if zone in ZONES:
        moment = moment.astimezone(ZONES[zone])
    else:
        zone = "UTC"
        moment = moment.astimezone(UTC)
    clock = pgettext(
        "time",
        "%(hour)s:%(minute)s",
        hour=f"{moment.hour:02d}",
        minute=f"{moment.minute:02d}",
    )
    month = pgettext("month", MONTHS[moment.month - 1])
    return f"{moment.day} {month} {moment.year} {clock} {zone}"


def local_date(value: Any, zone: str | None) -> str:
    """`27 Nov 2024`, the day in the zone."""
    moment = parse_time(value)
    if moment is None:
        return ""
    moment = moment.astimezone(ZONES[zone] if zone in ZONES else UTC)
    month = pgettext("month", MONTHS[moment.month - 1])
    return f"{moment.day} {month} {moment.year}"


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
    """`45 s`, `12 min`, `3 h 5 min`, `2 d 4 h` (Indonesian `3 j 5 mnt`); a dash when
    not yet."""
    if not isinstance(seconds, int | float) or seconds < 0:
        return "—"
    whole = int(seconds)
    if whole < 60:
        return _("%(seconds)s s", seconds=whole)
    minutes = whole // 60
    if minutes < 60:
        return _("%(minutes)s min", minutes=minutes)
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        if minutes:
            return _("%(hours)s h %(minutes)s min", hours=hours, minutes=minutes)
        return _("%(hours)s h", hours=hours)
    days, hours = divmod(hours, 24)
    if hours:
        return _("%(days)s d %(hours)s h", days=days, hours=hours)
    return _("%(days)s d", days=days)


def span(amount: int, unit: str) -> str:
    """A board span (`6 h`, `32 d`) in words: `6 jam`, `32 hari`."""
    if unit == "d":
        return _("%(amount)s days", amount=amount)
    if unit == "h":
        return _("%(amount)s hours", amount=amount)
    return _("%(amount)s minutes", amount=amount)


def reason(code: dict[str, Any]) -> str:
    """A board reason from its code and parameters."""
    kind = code.get("code")
    if kind == "open_incident":
        return _("open severity-%(severity)s incident", severity=code["severity"])
    if kind == "understaffed":
        return _(
            "understaffed %(headcount)s/%(required)s",
            headcount=code["headcount"],
            required=code["required"],
        )
    if kind == "no_check_in_for":
        return _("no check-in for %(span)s", span=span(code["amount"], code["unit"]))
    if kind == "invalid_value":
        return _("invalid value: %(field)s", field=code["field"])
    if kind == "field_anomalies":
        return _("field anomalies in the last 24 hours: %(count)s", count=code["count"])
    if kind == "no_patrol_visit_for":
        return _(
            "no patrol visit for %(span)s", span=span(code["amount"], code["unit"])
        )
    texts = {
        "decommissioned": _("decommissioned"),
        "awas_nobody_on_duty": _("alert level awas and nobody on duty"),
        "no_check_in_since_shift_began": _("no check-in since the shift began"),
        "no_patrol_visit_yet": _("no patrol visit yet"),
    }
    return texts.get(str(kind), str(kind))


def label(value: Any, context: str = "code") -> str:
    """A code as people write it: `logistics_warehouse` -> `Gudang logistik`."""
    return code_label(context, value)


def _is_time(value: str) -> bool:
    return len(value) >= 16 and value[4:5] == "-" and value[10:11] == "T"


def value_text(value: Any, zone: str | None = None) -> Markup:
    """An event field for people: lists joined, empties dashed, nesting flattened,
    times in the site's zone."""
    if value is None or value == "" or value == []:
        return Markup('<span class="none">—</span>')
    if isinstance(value, list):
        return Markup(", ").join(value_text(v, zone) for v in value)
    if isinstance(value, dict):
        return Markup("; ").join(
            Markup("{}: {}").format(label(k, "field"), value_text(v, zone))
            for k, v in value.items()
        )
    if isinstance(value, bool):
        return Markup(escape(_("yes") if value else _("no")))
    if isinstance(value, str) and _is_time(value) and parse_time(value) is not None:
        return local_time(value, zone)
    return Markup(escape(str(value)))
