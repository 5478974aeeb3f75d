"""`jaga export`, `jaga verify`, checkpoints, proofs, the signing key and the
PostgreSQL application role: the auditor's and the operator's audit commands."""

from __future__ import annotations

import base64
import binascii
import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import structlog
import typer

from domain.errors import DomainError
from infrastructure.settings import Settings
from interfaces.cli.common import BUNDLE_PREAMBLE, _, open_log, progress, refuse

proof_app = typer.Typer(
    help="RFC 6962 inclusion and consistency proofs.", no_args_is_help=True
)
db_app = typer.Typer(help="Database administration.", no_args_is_help=True)


@contextmanager
def _service() -> Iterator[Any]:
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


def _echo_json(obj: Any) -> None:
    typer.echo(json.dumps(obj, indent=2, ensure_ascii=False))


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

    with _service() as audit:
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


def _public_key(value: str | None) -> bytes | None:
    if value is None:
        return None
    path = Path(value)
    if path.is_file():
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        key = serialization.load_pem_public_key(path.read_bytes())
        if not isinstance(key, Ed25519PublicKey):
            raise typer.BadParameter("not an Ed25519 public key", param_hint="--key")
        return key.public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
    try:
        raw = base64.b64decode(value, validate=True)
    except binascii.Error:
        raw = b""
    if len(raw) != 32:
        raise typer.BadParameter(
            "give a PEM file or the base64 of the raw 32-byte key", param_hint="--key"
        )
    return raw


def _witnesses(values: list[str]) -> list[Any]:
    from infrastructure.audit.note import COSIGNATURE_V1, NoteError, parse_vkey

    out: list[Any] = []
    for value in values:
        try:
            verifier = parse_vkey(value)
        except NoteError as exc:
            raise typer.BadParameter(
                f"{value!r}: {exc}", param_hint="--witness"
            ) from None
        if verifier.kind != COSIGNATURE_V1:
            raise typer.BadParameter(
                f"{value!r} is not a witness key (type 0x04)", param_hint="--witness"
            )
        if any(v.name == verifier.name for v in out):
            raise typer.BadParameter(f"{verifier.name} twice", param_hint="--witness")
        out.append(verifier)
    return out


def verify(
    bundle: Annotated[
        Path | None, typer.Argument(help="A bundle; without it, the live store.")
    ] = None,
    key: Annotated[
        str | None,
        typer.Option("--key", help="Expected signer: PEM file or base64 raw key."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the result as JSON.")
    ] = False,
    witness: Annotated[
        list[str] | None,
        typer.Option(
            help="A witness's verifier key (name+id+key) whose cosignature counts; "
            "repeat for more."
        ),
    ] = None,
    quorum: Annotated[
        int | None,
        typer.Option(
            help="How many of the named witnesses must have cosigned the checkpoint "
            "relied on; default: all of them.",
            min=1,
        ),
    ] = None,
) -> None:
    """Verify a bundle offline, or the live store; exit 0 only when all verifies."""
    witnesses = _witnesses(witness or [])
    if quorum is not None and quorum > len(witnesses):
        raise typer.BadParameter(
            f"a quorum of {quorum} needs at least {quorum} --witness keys",
            param_hint="--quorum",
        )
    needed = quorum if quorum is not None else len(witnesses)
    if bundle is not None:
        from infrastructure.audit.bundle_verify import verify_bundle

        if not bundle.is_file():
            typer.echo(f"error: no such file: {bundle}", err=True)
            raise typer.Exit(2)
        result = verify_bundle(bundle, _public_key(key), witnesses, needed).as_dict()
    else:
        with _service() as audit:
            with progress(_("verifying"), audit.size()) as bar:
                result = audit.verify(witnesses, needed, bar.to)
    if as_json:
        _echo_json(result)
    elif result["ok"]:
        files = result.get("attachments") or 0
        shown, hidden = result.get("revealed") or 0, result.get("withheld") or 0
        typer.echo(
            (
                _(
                    "OK: bundle %(file)s: positions %(first)s..%(last)s of tree size "
                    "%(size)s, signed by key %(key)s (%(public)s)",
                    file=str(bundle),
                    first=result["from_position"],
                    last=result["to_position"],
                    size=result["tree_size"],
                    key=result["key_id"],
                    public=result["public_key"],
                )
                if bundle is not None
                else _("OK: live store: tree size %(size)s", size=result["tree_size"])
            )
            + (
                _(", %(files)s evidence files match their SHA-256", files=files)
                if files
                else ""
            )
            + (
                _(
                    ", %(shown)s protected values match their commitments",
                    shown=shown,
                )
                if shown
                else ""
            )
            + (
                _(", %(hidden)s withheld (commitments only)", hidden=hidden)
                if hidden
                else ""
            )
        )
        if witnesses:
            typer.echo(
                _(
                    "witnessed: checkpoint of size %(size)s cosigned by %(names)s "
                    "(%(count)s of the %(needed)s needed)",
                    size=result.get("witnessed_size") or result["tree_size"],
                    names=", ".join(result["cosigned_by"]),
                    count=len(result["cosigned_by"]),
                    needed=needed,
                )
            )
    else:
        what = (
            _("bundle %(file)s", file=str(bundle))
            if bundle is not None
            else _("live store")
        )
        bad = result["first_bad_position"]
        typer.echo(
            _(
                "FAILED: %(what)s: first bad position %(position)s: %(reason)s",
                what=what,
                position=bad,
                reason=result["reason"],
            )
            if bad is not None
            else _(
                "FAILED: %(what)s: no single position: %(reason)s",
                what=what,
                reason=result["reason"],
            )
        )
    for name, asked in (result.get("witnesses_asked") or {}).items():
        if asked != "answered":
            typer.echo(
                _("note: witness %(name)s %(asked)s", name=name, asked=asked), err=True
            )
    raise typer.Exit(0 if result["ok"] else 1)


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
    with _service() as audit:
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
            _echo_json(audit.checkpoints())
        elif note:
            typer.echo(audit.checkpoint()["signed_note"], nl=False)
        else:
            _echo_json(audit.checkpoint())


def leaf(position: int) -> None:
    """Print the event at POSITION, its leaf hash and the exact bytes hashed."""
    with _service() as audit:
        _echo_json(audit.leaf(position))


@proof_app.command("inclusion")
def inclusion(
    position: int,
    tree_size: Annotated[
        int | None, typer.Option(help="Default: the latest checkpoint's size.")
    ] = None,
) -> None:
    """The audit path of the event at POSITION in the tree of TREE_SIZE."""
    with _service() as audit:
        size = tree_size if tree_size is not None else audit.checkpoint()["tree_size"]
        _echo_json(audit.inclusion_proof(position, size))


@proof_app.command("consistency")
def consistency(first: int, second: int) -> None:
    """The proof that the tree of SECOND events extends the tree of FIRST."""
    with _service() as audit:
        _echo_json(audit.consistency_proof(first, second))


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
