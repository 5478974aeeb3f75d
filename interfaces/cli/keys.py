"""`jaga keys`: API keys for people and tools, and the log's signing key."""

from __future__ import annotations

import typer

keys_app = typer.Typer(
    help="API keys and the checkpoint signing key.", no_args_is_help=True
)
