"""What every `jaga` command shares: its words from the catalog in the terminal's
language, opening an existing log only, and progress bars ending in a summary."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn
from urllib.parse import urlsplit, urlunsplit

import structlog
import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)

from domain.errors import DomainError
from infrastructure.settings import Settings
from interfaces.i18n import LANGUAGES, gettext, speaking

# A bundle's lines before its events: header, checkpoint, public key, left
# frontier, consistency proof (infrastructure/audit/bundle.py).
BUNDLE_PREAMBLE = 5


def language() -> str:
    """JAGA_LANG, else the terminal's locale: Indonesian for id_*, else English."""
    chosen = os.environ.get("JAGA_LANG", "").strip().lower()
    if chosen in LANGUAGES:
        return chosen
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            return "id" if value.lower().startswith("id") else "en"
    return "en"


def _(message: str, **params: Any) -> str:
    """A catalog message in the command line's language."""
    with speaking(language()):
        return gettext(message, **params)


def fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(_("error: %(reason)s", reason=message), err=True)
    raise typer.Exit(code)


def shown_url(database_url: str) -> str:
    """The store's URL without its password."""
    url = urlsplit(database_url)
    if url.password is None:
        return database_url
    netloc = url.netloc.replace(f":{url.password}@", ":***@", 1)
    return urlunsplit(url._replace(netloc=netloc))


def open_log(settings: Any = None) -> Any:
    """The application on the log the settings name; refuses (exit 2) when there is
    none, instead of creating an empty one and answering about it."""
    from infrastructure.settings import Settings
    from infrastructure.store.presence import log_exists
    from infrastructure.wiring import open_app

    if not structlog.is_configured():
        # Keep stdout for the answer (JSON, bundles); logs go to stderr.
        structlog.configure(
            logger_factory=lambda *_args: structlog.PrintLogger(sys.stderr)
        )
    settings = settings or Settings.load()
    try:
        found = log_exists(settings.database_url)
    except Exception as error:  # the store is down or refuses us: say so
        fail(
            _(
                "cannot reach the store at %(url)s: %(reason)s",
                url=shown_url(settings.database_url),
                reason=str(error).strip(),
            )
        )
    if not found:
        fail(
            _(
                "no log at %(url)s. Run the command where the log's .env is, or set "
                "JAGA_DATABASE_URL to it; `jaga demo` or `jaga serve` starts a new "
                "log.",
                url=shown_url(settings.database_url),
            )
        )
    return open_app(settings)


class Bar:
    """A progress bar on stderr (stdout stays the command's answer)."""

    def __init__(self, progress: Progress | None, task: Any) -> None:
        self.progress = progress
        self.task = task
        self.done = 0

    def advance(self, n: int = 1) -> None:
        self.done += n
        if self.progress is not None:
            self.progress.update(self.task, completed=self.done)

    def to(self, done: int) -> None:
        self.advance(done - self.done)

    def total(self, total: int) -> None:
        if self.progress is not None:
            self.progress.update(self.task, total=total)


@contextmanager
def progress(label: str, total: int | None) -> Iterator[Bar]:
    """Shown in a terminal only; a pipe or a log file gets the summary alone."""
    console = Console(stderr=True)
    if not console.is_terminal:
        yield Bar(None, None)
        return
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )
    with bar:
        yield Bar(bar, bar.add_task(label, total=total))


def refuse(error: Any) -> NoReturn:
    """A domain error as the command line's answer; a missing signing key with how
    to make one."""
    if getattr(error, "code", None) == "signing_key_missing":
        fail(
            _(
                "no signing key at %(path)s. Make the log's key once with "
                "`jaga keys signing-init` (or set JAGA_SIGNING_KEY_FILE to it).",
                path=str(error.details.get("id")),
            )
        )
    fail(error.message)


@contextmanager
def audit_service() -> Iterator[Any]:
    """The audit service on the log the settings point to; refusals end the command."""
    from infrastructure.audit.service import AuditService

    if not structlog.is_configured():
        # Keep stdout for the answer (JSON, bundles); logs go to stderr.
        structlog.configure(
            logger_factory=lambda *_args: structlog.PrintLogger(sys.stderr)
        )
    settings = Settings.load()
    jaga = open_log(settings)
    try:
        yield AuditService(jaga, settings, create_key=False)
    except DomainError as exc:
        refuse(exc)
    finally:
        jaga.close()


def echo_json(obj: Any) -> None:
    """An answer on standard output as indented JSON."""
    typer.echo(json.dumps(obj, indent=2, ensure_ascii=False))
