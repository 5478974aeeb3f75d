"""A report envelope as a printable page: Jinja2 templates whose every word comes
from the gettext catalog, times in the report's zone, the log position and signed
checkpoint it was built from on every page."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from application.projections.common import when
from domain.regions import ZONES
from interfaces.reports import words

HERE = Path(__file__).parent
ENV = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
)
ENV.install_gettext_callables(  # type: ignore[attr-defined]
    words.gettext, words.ngettext, newstyle=True, pgettext=words.pgettext
)


def local(value: str | None, zone: str, with_day: bool = False) -> str:
    """`07.10 WIB`, or with its day `2024-01-03` above it: the time as the site's
    clocks showed it."""
    moment = when(value)
    if moment is None:
        return "–"
    shown = moment.astimezone(ZONES[zone])
    clock = f"{shown:%H.%M} {zone}"
    if not with_day:
        return clock
    return Markup("{}<br>{}").format(f"{shown:%Y-%m-%d}", clock)


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    minutes = int(round(seconds / 60))
    if minutes < 60:
        return words.gettext("%(n)s min", n=minutes)
    hours, rest = divmod(minutes, 60)
    if hours < 48:
        return words.gettext("%(h)s h %(m)s min", h=hours, m=rest)
    return words.gettext("%(d)s days %(h)s h", d=hours // 24, h=hours % 24)


def person(names: dict[str, Any], personnel_id: str | None) -> str:
    if not personnel_id:
        return "–"
    found = names.get(f"personnel:{personnel_id}")
    if not found:
        return personnel_id
    return " ".join(p for p in (found.get("rank"), found.get("name")) if p)


def unit(names: dict[str, Any], unit_id: str | None) -> str:
    if not unit_id:
        return "–"
    found = names.get(f"unit:{unit_id}")
    return str(found["name"]) if found and found.get("name") else unit_id


def until(value: str | None, end: str | None, zone: str) -> str:
    """The end of a period; the end of the day itself reads 24.00."""
    return f"24.00 {zone}" if value is not None and value == end else local(value, zone)


def value(name: str, given: Any, zone: str) -> str:
    """A corrected value as people read it: times in the zone, lists joined."""
    if given is None:
        return "–"
    if name == "occurred_at" or name.endswith("_at"):
        return local(str(given), zone, with_day=True)
    if isinstance(given, list):
        return ", ".join(str(v) for v in given)
    return str(given)


def long_date(value: str) -> str:
    return words.long_date(date.fromisoformat(value))


ENV.globals.update(
    local=local,
    until=until,
    value=value,
    duration=duration,
    person=person,
    unit=unit,
    label=words.label,
    long_date=long_date,
)


def page(envelope: dict[str, Any], printed_at: datetime | None = None) -> str:
    """The report's printable HTML page in the current language."""
    template = ENV.get_template(f"{envelope['kind']}.html")
    return template.render(
        r=envelope,
        b=envelope["body"],
        language=words.language(),
        printed_at=(printed_at or datetime.now().astimezone()).isoformat(),
    )
