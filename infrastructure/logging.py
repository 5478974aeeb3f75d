"""structlog set-up: JSON lines in production, readable lines in a terminal."""

from __future__ import annotations

import logging
import re
import sys
from typing import Any, TextIO, cast

import structlog

from infrastructure.settings import Settings

# Never logged, wherever they turn up in an event's fields.
SECRET_KEYS = frozenset({"authorization", "secret", "password", "api_key", "token"})


# An API key pasted where it does not belong (a path, a request id) is masked too.
API_KEY = re.compile(r"(jaga_[0-9a-f]{12}_)[A-Za-z0-9_-]{16,}")
# And, in whatever a line ends up holding (a traceback, a header list, a repr), the
# credentials of a request: a Bearer value, a session cookie.
BEARER = re.compile(r"((?:bearer|basic)\s+)[^\s'\",)]+", re.IGNORECASE)
SESSION = re.compile(r"(jaga_session['\"]?\s*[:=]\s*b?['\"]?)[A-Za-z0-9_-]+")
HIDDEN = "[hidden]"


def mask(text: str) -> str:
    """`text` with every API key, Bearer value and session id it holds hidden."""
    if "jaga_" in text:
        text = API_KEY.sub(r"\1" + HIDDEN, text)
        text = SESSION.sub(r"\1" + HIDDEN, text)
    if "earer" in text or "asic" in text:
        text = BEARER.sub(r"\1" + HIDDEN, text)
    return text


def _drop_secrets(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
    for key in list(event):
        if key.lower() in SECRET_KEYS:
            event[key] = HIDDEN
        elif isinstance(event[key], str):
            event[key] = mask(event[key])
    return event


def _masked(renderer: Any) -> Any:
    """The renderer, whose finished line is masked once more: nothing rendered after
    the fields were checked (an exception's text) can carry a secret out."""

    def render(logger: Any, name: str, event: dict[str, Any]) -> Any:
        line = renderer(logger, name, event)
        return mask(line) if isinstance(line, str) else line

    return render


class MaskSecrets(logging.Filter):
    """The same for the standard library's records (uvicorn's own errors)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        return True


def configure_logging(settings: Settings) -> None:
    """Each line carries the bound request id, correlation id and actor."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        # A traceback as plain text, without its frames' local values (which hold
        # the request and its headers), before the fields are checked.
        structlog.processors.format_exc_info,
        _drop_secrets,
    ]
    renderer: Any
    if settings.is_production:
        renderer = structlog.processors.JSONRenderer()
    else:
        renderer = structlog.dev.ConsoleRenderer(
            colors=sys.stderr.isatty(),
            exception_formatter=structlog.dev.plain_traceback,
        )
    structlog.configure(
        processors=[*shared, _masked(renderer)],
        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
        logger_factory=structlog.PrintLoggerFactory(cast(TextIO, _Stderr())),
        cache_logger_on_first_use=False,
    )
    root = logging.getLogger()
    if not any(isinstance(h, _MaskedHandler) for h in root.handlers):
        handler = _MaskedHandler()
        handler.addFilter(MaskSecrets())
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
        root.addHandler(handler)
        root.setLevel(min(root.level or logging.WARNING, logging.WARNING))


class _Stderr:
    """The standard error of the moment, not of set-up (tests swap it)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


class _MaskedHandler(logging.Handler):
    """Writes to the standard error of the moment (tests swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
        except Exception:  # noqa: BLE001 - a log line must never break a request
            self.handleError(record)
