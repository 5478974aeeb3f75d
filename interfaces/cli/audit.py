"""`jaga export`, `jaga verify`, checkpoints, proofs, the signing key and the
PostgreSQL application role: the auditor's and the operator's audit commands."""

from __future__ import annotations

import base64
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from infrastructure.settings import Settings
from interfaces.cli.common import (
    BUNDLE_PREAMBLE,
    _,
    audit_service,
    echo_json,
    progress,
)
from interfaces.cli.verifying import verify

proof_app = typer.Typer(
    help="RFC 6962 inclusion and consistency proofs.", no_args_is_help=True
)
db_app = typer.Typer(help="Database administration.", no_args_is_help=True)


def export(
    out: Annotated[Path, typer.Argument(help="Bundle file to write, or - for stdout.")],
    from_position: Annotated[int, typer.Option("--from", help="First position.")] = 1,
    to_position: Annotated[
        int | None, typer.Option("--to", help="Last position; default the log's end.")
    ] = None,
    attachments: Annotated[
        bool,
        typer.Option("--attachments", help="Include the evidence files events name."),
    ] = False,
    bawaslu: Annotated[
        bool,
        typer.Option(
            "--bawaslu",
            help="Bawaslu's view: covert sites' guards and every ID number as "
            "commitments only; it verifies the same.",
        ),
    ] = False,
) -> None:
    """Export positions FROM..TO as a bundle `jaga verify BUNDLE` checks offline."""
    from application.redaction import AuditView
    from infrastructure.views.wiring import read_model

    with audit_service() as audit:
        to = to_position if to_position is not None else audit.export_end()
        view = None
        if bawaslu:
            covert, reached = read_model(audit.app).covert_positions(from_position, to)
            view = AuditView("bawaslu", covert, reached)
        lines = audit.export_lines(from_position, to, view)
        if attachments:
            from infrastructure.attachments.bundled import stream_with_files
            from infrastructure.attachments.store import open_attachments

            settings = Settings.load()
            store = open_attachments(
                audit.recorder, settings.attachments, settings.attachment_max_bytes
            )
            shown = None if view is None else view.shows_evidence
            lines = stream_with_files(lines, store.read, shown)
        if str(out) == "-":
            for line in lines:
                sys.stdout.buffer.write(line)
            return
        # Written aside and moved into place: a failed export leaves no half file.
        part = out.with_name(f".{out.name}.part")
        try:
            total = to - from_position + 1
            with part.open("wb") as f, progress(_("exporting"), total) as bar:
                for n, line in enumerate(lines, 1 - BUNDLE_PREAMBLE):
                    f.write(line)
                    bar.to(max(0, min(n, total)))
            part.replace(out)
        finally:
            part.unlink(missing_ok=True)
    typer.echo(
        _(
            "exported positions %(first)s..%(last)s to %(file)s",
            first=from_position,
            last=to,
            file=str(out),
        ),
        err=True,
    )


def checkpoint(
    every: Annotated[
        float | None,
        typer.Option(help="Keep running, issuing one every SECONDS when the log grew."),
    ] = None,
    show_all: Annotated[
        bool, typer.Option("--all", help="Every stored checkpoint.")
    ] = False,
    note: Annotated[
        bool,
        typer.Option(
            "--note", help="Print the signed note with the witnesses' cosignatures."
        ),
    ] = False,
) -> None:
    """Issue a signed checkpoint if the log grew, take it to the witnesses in
    JAGA_WITNESSES, and print the latest."""
    with audit_service() as audit:
        audit.publish()
        if every is not None:
            audit.start_timer(every)
            typer.echo(
                f"issuing a checkpoint every {every:g} s; Ctrl-C stops", err=True
            )
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                audit.stop_timer()
            return
        if show_all:
            audit.checkpoint()
            echo_json(audit.checkpoints())
        elif note:
            typer.echo(audit.checkpoint()["signed_note"], nl=False)
        else:
            echo_json(audit.checkpoint())


def leaf(position: int) -> None:
    """Print the event at POSITION, its leaf hash and the exact bytes hashed."""
    with audit_service() as audit:
        echo_json(audit.leaf(position))


@proof_app.command("inclusion")
def inclusion(
    position: int,
    tree_size: Annotated[
        int | None, typer.Option(help="Default: the latest checkpoint's size.")
    ] = None,
) -> None:
    """The audit path of the event at POSITION in the tree of TREE_SIZE."""
    with audit_service() as audit:
        size = tree_size if tree_size is not None else audit.checkpoint()["tree_size"]
        echo_json(audit.inclusion_proof(position, size))


@proof_app.command("consistency")
def consistency(first: int, second: int) -> None:
    """The proof that the tree of SECOND events extends the tree of FIRST."""
    with audit_service() as audit:
        echo_json(audit.consistency_proof(first, second))


@db_app.command("grant-app-role")
def grant_app_role(
    role: Annotated[str, typer.Option(help="Role name.")] = "jaga_app",
    password: Annotated[
        str | None, typer.Option(help="Set this login password (else set it yourself).")
    ] = None,
) -> None:
    """Create the non-owner PostgreSQL role the server should run as (run as owner)."""
    from infrastructure.audit.migrations import grant_app_role as grant
    from infrastructure.wiring import open_app

    jaga = open_app(Settings.load())
    try:
        statements = grant(jaga.recorder, role, password)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    finally:
        jaga.close()
    for statement in statements:
        typer.echo(f"{statement};")
    typer.echo(f"-- role {role} ready: connect as it and set CREATE_TABLE=no", err=True)


def signing_init(
    path: Annotated[
        Path | None, typer.Option(help="Key file; default JAGA_SIGNING_KEY_FILE.")
    ] = None,
) -> None:
    """Create the Ed25519 checkpoint signing key (never overwrites) and print its
    public half."""
    from infrastructure.audit.bundle import public_key_pem
    from infrastructure.audit.checkpoint import (
        key_id_for,
        load_or_create_signing_key,
        public_key_bytes,
    )
    from infrastructure.audit.note import log_verifier

    settings = Settings.load()
    target = path or settings.signing_key_file
    existed = target.exists()
    try:
        key = load_or_create_signing_key(target)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    raw = public_key_bytes(key)
    typer.echo(
        f"{'kept the existing' if existed else 'created'} key {target}", err=True
    )
    typer.echo(
        f"key_id {key_id_for(settings.log_origin, raw)} for origin "
        f"{settings.log_origin}"
    )
    typer.echo(f"vkey {log_verifier(settings.log_origin, raw).vkey}")
    typer.echo(public_key_pem(raw), nl=False)
    typer.echo(base64.b64encode(raw).decode("ascii"))


def register(app: typer.Typer) -> None:
    """Adds the audit commands to the `jaga` command."""
    commands: list[tuple[str, Callable[..., None]]] = [
        ("export", export),
        ("verify", verify),
        ("checkpoint", checkpoint),
        ("leaf", leaf),
    ]
    for name, fn in commands:
        app.command(name)(fn)
    app.add_typer(proof_app, name="proof")
    app.add_typer(db_app, name="db")
