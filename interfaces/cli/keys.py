"""`jaga keys`: API keys for people and tools, and the log's signing key."""

from __future__ import annotations

from typing import Annotated

import typer

from domain.errors import DomainError
from infrastructure.keys import KeyStore
from infrastructure.wiring import open_app
from interfaces.cli.audit import signing_init

keys_app = typer.Typer(
    help="API keys and the checkpoint signing key.", no_args_is_help=True
)
keys_app.command("signing-init")(signing_init)


@keys_app.command("create")
def create(
    role: Annotated[str, typer.Option(help="field, ops, auditor, bawaslu or admin")],
    name: Annotated[str, typer.Option(help="Who or what uses the key")],
    scope: Annotated[
        list[str] | None,
        typer.Option(
            help="PROVINCE or PROVINCE/REGENCY; repeat for more; none: everywhere"
        ),
    ] = None,
) -> None:
    """Issue a key; its secret is printed once, alone on the last line."""
    jaga = open_app()
    try:
        key, secret = KeyStore(jaga.recorder).create(role, name, scope or None)
    except DomainError as error:
        raise typer.BadParameter(error.message) from None
    finally:
        jaga.close()
    regions = ", ".join(key.as_dict()["scope"]) or "everywhere"
    typer.echo(f"key {key.key_id} for {key.name}: role {key.role}, regions {regions}")
    typer.echo("the secret below is shown once; it is stored only as a hash")
    typer.echo(secret)


@keys_app.command("list")
def list_keys() -> None:
    """List keys (never their secrets)."""
    jaga = open_app()
    try:
        keys = KeyStore(jaga.recorder).list()
    finally:
        jaga.close()
    for key in keys:
        regions = ",".join(key.as_dict()["scope"]) or "everywhere"
        state = f"revoked {key.revoked_at}" if key.revoked_at else "active"
        typer.echo(f"{key.key_id}  {key.role:<8} {regions:<30} {state:<10} {key.name}")


@keys_app.command("revoke")
def revoke(
    key_id: Annotated[str, typer.Argument(help="The key id from `keys list`")],
) -> None:
    """Revoke a key: it stops working at once."""
    jaga = open_app()
    try:
        key = KeyStore(jaga.recorder).revoke(key_id)
    except DomainError as error:
        typer.echo(error.message, err=True)
        raise typer.Exit(1) from None
    finally:
        jaga.close()
    typer.echo(f"revoked {key.key_id} ({key.name}) at {key.revoked_at}")
