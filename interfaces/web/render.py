"""Rendering a dashboard page: templates, security headers, the signed-in bar."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

from application import access
from domain.regions import ZONES
from interfaces import i18n
from interfaces.http.deps import Caller
from interfaces.web import csrf
from interfaces.web import format as fmt

HERE = Path(__file__).parent
TEMPLATES = Jinja2Templates(directory=HERE / "templates")
TEMPLATES.env.add_extension("jinja2.ext.i18n")
TEMPLATES.env.install_gettext_callables(  # type: ignore[attr-defined]
    lambda m: i18n.translations(i18n.language()).ugettext(m),
    lambda s, p, n: i18n.translations(i18n.language()).ungettext(s, p, n),
    newstyle=True,
    pgettext=lambda c, m: i18n.translations(i18n.language()).upgettext(c, m),
    npgettext=lambda c, s, p, n: i18n.translations(i18n.language()).unpgettext(
        c, s, p, n
    ),
)
TEMPLATES.env.globals.update(
    local_time=fmt.local_time,
    local_date=fmt.local_date,
    duration=fmt.duration,
    label=fmt.label,
    reason=fmt.reason,
    value_text=fmt.value_text,
    zones=tuple(ZONES),
    language=i18n.language,
    languages=i18n.NAMES,
)
HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; "
    "style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def views(role: str) -> dict[str, bool]:
    return {
        "board": access.may(role, "board.read"),
        "incidents": access.may(role, "incidents.read"),
        "register": access.may(role, "register.read"),
        "timeline": access.may(role, "timeline.read"),
        "reports": access.may(role, "reports.read"),
        "enrol": access.may(role, "devices.enrol"),
        "alerts": access.may(role, "alerts.read"),
    }


def html(
    request: Request,
    name: str,
    context: dict[str, Any],
    status: int = 200,
    caller: Caller | None = None,
) -> Response:
    if caller is not None:
        context = {
            "me": caller.key,
            "regions": ", ".join(access.scope_text(caller.scope))
            or i18n.gettext("everywhere"),
            "views": views(caller.role),
            "csrf": csrf.page_token(request),
            **context,
        }
    response = TEMPLATES.TemplateResponse(request, name, context, status_code=status)
    response.headers.update(HEADERS)
    return response


def refusal(request: Request, caller: Caller, status: int, message: str) -> Response:
    return html(
        request, "error.html", {"status": status, "message": message}, status, caller
    )
