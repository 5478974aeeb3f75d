"""`jaga keys`: API keys for people and tools, and the log's signing key."""

from __future__ import annotations

import typer

from interfaces.cli.audit import signing_init

keys_app = typer.Typer(
    help="API keys and the checkpoint signing key.", no_args_is_help=True
)
keys_app.command("signing-init")(signing_init)
