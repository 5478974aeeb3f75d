"""`jaga backup` and `jaga restore`: the whole log to a verifiable file, and back
into an empty store (infrastructure/backup.py)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from domain.errors import DomainError
from infrastructure.settings import Settings
from interfaces.cli.common import (
    BUNDLE_PREAMBLE,
    _,
    fail,
    open_log,
    progress,
    refuse,
    shown_url,
)


def backup(
    out: Annotated[Path, typer.Argument(help="The backup file to write.")],
) -> None:
    """Write the whole log as a bundle `jaga verify` checks and `jaga restore`
    takes back; streamed, so a log of any length needs little memory."""
    from infrastructure.audit.service import AuditService
    from infrastructure.backup import backup_lines

    settings = Settings.load()
    jaga = open_log(settings)
    started = time.perf_counter()
    part = out.with_name(f".{out.name}.part")
    try:
        size, lines = backup_lines(AuditService(jaga, settings, create_key=False))
        # Written aside and moved into place: a failed backup leaves no half file.
        with part.open("wb") as f, progress(_("backing up"), size) as bar:
            for n, line in enumerate(lines, 1 - BUNDLE_PREAMBLE):
                f.write(line)
                bar.to(max(0, min(n, size)))
        part.replace(out)
    except DomainError as error:
        refuse(error)
    finally:
        part.unlink(missing_ok=True)
        jaga.close()
    typer.echo(
        _(
            "backed up %(events)s events to %(file)s (%(bytes)s bytes) in "
            "%(seconds)s s",
            events=size,
            file=str(out),
            bytes=out.stat().st_size,
            seconds=round(time.perf_counter() - started, 2),
        )
    )


def restore(
    bundle: Annotated[Path, typer.Argument(help="A file `jaga backup` wrote.")],
) -> None:
    """Verify a backup, then append it to the EMPTY store the settings name and
    rebuild every view: the same positions, leaves, tree and views."""
    from infrastructure.audit.bundle_verify import verify_bundle
    from infrastructure.backup import check
    from infrastructure.backup import restore as restore_log
    from infrastructure.wiring import open_app, open_projections

    if not bundle.is_file():
        fail(_("no such file: %(file)s", file=str(bundle)))
    settings = Settings.load()
    started = time.perf_counter()
    try:
        jaga = open_app(settings)
    except Exception as error:  # no such database, or it refuses us: say so
        fail(
            _(
                "cannot reach the store at %(url)s: %(reason)s",
                url=shown_url(settings.database_url),
                reason=str(error).strip(),
            )
        )
    try:
        if jaga.log.max_position() != 0:
            fail(
                _(
                    "the store at %(url)s already holds %(events)s events; restore "
                    "goes into an empty store only",
                    url=shown_url(settings.database_url),
                    events=jaga.log.max_position(),
                )
            )
        verified = verify_bundle(bundle)
        if not verified.ok:
            fail(
                _(
                    "the backup does not verify (position %(position)s): %(reason)s",
                    position=verified.first_bad_position or "-",
                    reason=verified.reason or "",
                ),
                code=1,
            )
        with progress(_("checking"), verified.events) as bar:
            check(bundle, bar.to)
        with progress(_("restoring"), verified.events) as bar:
            done = restore_log(jaga, bundle, bar.to)
        # The restored store's views start empty: built from the whole log.
        with progress(_("projecting"), done["events"]) as bar:
            open_projections(jaga).catch_up(progress=bar.to)
    except DomainError as error:
        refuse(error)
    finally:
        jaga.close()
    typer.echo(
        _(
            "restored %(events)s events (root %(root)s, signed by key %(key)s) and "
            "rebuilt every view in %(seconds)s s",
            events=done["events"],
            root=done["root_hash"],
            key=done["key_id"],
            seconds=round(time.perf_counter() - started, 2),
        )
    )


def register(app: typer.Typer) -> None:
    app.command()(backup)
    app.command()(restore)
