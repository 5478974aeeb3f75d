"""The reports' words, from the project's gettext catalogs (interfaces/i18n)."""

from __future__ import annotations

from datetime import date
from typing import Any

from babel.dates import format_date

from interfaces import i18n


def gettext(message: str, **params: Any) -> str:
    return i18n.gettext(message, **params)


def ngettext(singular: str, plural: str, n: int, **params: Any) -> str:
    return i18n.ngettext(singular, plural, n, **params)


def pgettext(context: str, message: str, **params: Any) -> str:
    return i18n.pgettext(context, message, **params)


def label(context: str, value: Any) -> str:
    return i18n.label(context, value)


def language() -> str:
    return i18n.language()


def long_date(day: date) -> str:
    """`Rabu, 03 Januari 2024` / `Wednesday, January 3, 2024`."""
    return format_date(day, "full", locale=language())
