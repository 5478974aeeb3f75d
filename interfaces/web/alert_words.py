"""An alert's reasons in the request's language: the board's own reasons, and the
alert rules' (waiting times and deadlines)."""

from __future__ import annotations

from typing import Any

from interfaces.i18n import _
from interfaces.web import format as fmt


def reason_text(code: dict[str, Any]) -> str:
    kind = code.get("code")
    if kind == "unacknowledged_for":
        return _(
            "severity %(severity)s, not acknowledged for %(minutes)s min",
            severity=code.get("severity"),
            minutes=code.get("minutes"),
        )
    if kind == "backup_not_arrived_for":
        return _("backup not arrived for %(minutes)s min", minutes=code.get("minutes"))
    if kind in ("registration_deadline", "decision_deadline"):
        when = fmt.local_text(code.get("deadline"), "WIB")
        if kind == "registration_deadline":
            return _("registration deadline %(when)s", when=when)
        return _("decision deadline %(when)s", when=when)
    return fmt.reason(code)
