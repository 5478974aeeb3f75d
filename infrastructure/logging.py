"""structlog set-up: JSON lines in production, readable lines in a terminal."""

from __future__ import annotations

import logging
import re
import sys
from typing import Any

import structlog

from infrastructure.settings import Settings

# Never logged, wherever they turn up in an event's fields.
SECRET_KEYS = frozenset({"authorization", "secret", "password", "api_key", "token"})


# An API key pasted where it does not belong (a path, a request id) is masked too.
API_KEY = re.compile(r"(jaga_[0-9a-f]{12}_)[A-Za-z0-9_-]{16,}")


def _drop_secrets(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
    for key in list(event):
        if key.lower() in SECRET_KEYS:
            event[key] = "[hidden]"
        elif isinstance(event[key], str) and "jaga_" in event[key]:
            event[key] = API_KEY.sub(r"\1[hidden]", event[key])
    return event


def configure_logging(settings: Settings) -> None:
    """Each line carries the bound request id, correlation id and actor."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _drop_secrets,
    ]
    renderer: Any
    if settings.is_production:
        shared.append(structlog.processors.format_exc_info)
        renderer = structlog.processors.JSONRenderer()
    else:
        renderer = structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    structlog.configure(
        processors=[*shared, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=False,
    )
