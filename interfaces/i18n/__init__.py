"""Bahasa Indonesia first, English beside it: gettext catalogs read from .po at start.

The catalogs are the .po files under `locale/` (msgids in English, Indonesian and
English message strings), compiled in memory by Babel when first used, so a fresh
clone needs no compile step. The request's language lives in a context variable set
by `LanguageMiddleware`; every `_()` of a request reads it.
"""

from __future__ import annotations

import contextvars
import io
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from starlette.types import ASGIApp, Receive, Scope, Send

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("id", "en")
DEFAULT = "id"
API_DEFAULT = "en"  # API clients that name no language keep the API's English
COOKIE = "jaga_lang"
NAMES = {"id": "Bahasa Indonesia", "en": "English"}

_current: contextvars.ContextVar[str] = contextvars.ContextVar(
    "jaga_language", default=DEFAULT
)
# Whether the caller named its language (Accept-Language or the cookie); a client
# that did not keeps the API's own English messages.
_named: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "jaga_language_named", default=True
)


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"


@cache
def translations(language: str) -> Translations:
    """The language's catalog, compiled from its .po file in memory."""
    with po_path(language).open("rb") as source:
        catalog = read_po(source, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def language() -> str:
    return _current.get()


def named() -> bool:
    return _named.get()


@contextmanager
def speaking(lang: str) -> Iterator[None]:
    """Runs a block in a language (for code outside a request: tests, the CLI)."""
    token = _current.set(lang if lang in LANGUAGES else DEFAULT)
    try:
        yield
    finally:
        _current.reset(token)


def gettext(message: str, **params: Any) -> str:
    text = translations(language()).ugettext(message)
    return text % params if params else text


def pgettext(context: str, message: str, **params: Any) -> str:
    text = translations(language()).upgettext(context, message)
    return text % params if params else text


def ngettext(singular: str, plural: str, n: int, **params: Any) -> str:
    text = translations(language()).ungettext(singular, plural, n)
    return text % {"num": n, **params}


_ = gettext


def known(context: str | None, message: str, lang: str | None = None) -> bool:
    """Whether the catalog holds this message (with its context)."""
    catalog = translations(lang or language())
    key = message if context is None else f"{context}\x04{message}"
    return key in catalog._catalog


def label(context: str, value: Any) -> str:
    """A code (`kpu_office`, `waspada`) as people write it; unknown codes as they
    are, so data the catalog does not name is still shown."""
    if value is None:
        return ""
    text = str(value)
    return pgettext(context, text) if known(context, text) else text.replace("_", " ")


def parse_accept_language(header: str | None) -> list[str]:
    """The languages a browser asks for, best first (`id-ID,id;q=0.9,en;q=0.8`)."""
    found: list[tuple[float, int, str]] = []
    for index, part in enumerate((header or "")[:500].split(",")):
        tag, _sep, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            name, _eq, value = param.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        base = tag.strip().lower().split("-")[0]
        if base == "in":  # the old code for Indonesian
            base = "id"
        if base and q > 0:
            found.append((-q, index, base))
    return [base for _q, _i, base in sorted(found)]


def negotiate(cookie: str | None, accept: str | None, default: str = DEFAULT) -> str:
    """The browser's own choice first, then Accept-Language, then the default."""
    if cookie in LANGUAGES:
        return str(cookie)
    for base in parse_accept_language(accept):
        if base in LANGUAGES:
            return base
    return default


def _cookie(header: str | None) -> str | None:
    for part in (header or "").split(";"):
        name, _eq, value = part.strip().partition("=")
        if name == COOKIE:
            return value.strip()
    return None


class LanguageMiddleware:
    """Sets the request's language: pages default to Indonesian, the API (a client
    that names no language) to English."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {
            k.decode("latin-1"): v.decode("latin-1")
            for k, v in scope.get("headers", [])
        }
        path = scope.get("path", "")
        api = path.startswith("/api/") or path in ("/healthz", "/readyz", "/metrics")
        lang = negotiate(
            _cookie(headers.get("cookie")),
            headers.get("accept-language"),
            API_DEFAULT if api else DEFAULT,
        )
        token = _current.set(lang)
        asked = _named.set(
            _cookie(headers.get("cookie")) in LANGUAGES
            or any(
                b in LANGUAGES
                for b in parse_accept_language(headers.get("accept-language"))
            )
        )
        try:
            await self.app(scope, receive, send)
        finally:
            _named.reset(asked)
            _current.reset(token)
