"""`jaga verify`: a bundle or the live store checked against its checkpoints, the
expected signer and the witnesses' cosignatures."""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from typing import Annotated, Any

import typer

from interfaces.cli.common import (
    _,
    audit_service,
    echo_json,
    progress,
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
        with audit_service() as audit:
            with progress(_("verifying"), audit.size()) as bar:
                result = audit.verify(witnesses, needed, bar.to)
    if as_json:
        echo_json(result)
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
