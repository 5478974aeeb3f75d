"""A report envelope as a printable HTML page or a PDF, in a language."""

from __future__ import annotations

from typing import Any

from interfaces import i18n
from interfaces.reports.pdf import html_to_pdf
from interfaces.reports.render import page


def as_html(envelope: dict[str, Any], language: str = i18n.DEFAULT) -> str:
    with i18n.speaking(language):
        return page(envelope)


def as_pdf(envelope: dict[str, Any], language: str = i18n.DEFAULT) -> bytes:
    return html_to_pdf(as_html(envelope, language))
