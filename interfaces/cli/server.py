"""`jaga serve`: the HTTP API and its projection runner under uvicorn."""

from __future__ import annotations

import gc
from typing import Annotated

import typer
import uvicorn

from infrastructure.keys import KeyStore
from infrastructure.settings import Settings
from infrastructure.wiring import open_app

DEMO_KEY_NAME = "demo ops key"


def _prepare_demo(settings: Settings) -> str:
    """Loads the demo into an empty log and issues a fresh demo ops key."""
    from application.demo import load_demo

    jaga = open_app(settings)
    try:
        if jaga.log.max_position() == 0:
            steps = load_demo(jaga)
            typer.echo(
                f"demo: loaded {steps} steps, log at position {jaga.log.max_position()}"
            )
        keys = KeyStore(jaga.recorder)
        # Secrets cannot be shown twice, so each start issues a new demo key.
        for old in keys.list():
            if old.name == DEMO_KEY_NAME and old.revoked_at is None:
                keys.revoke(old.key_id)
        _, secret = keys.create("ops", DEMO_KEY_NAME)
    finally:
        jaga.close()
    return secret


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    demo: Annotated[
        bool,
        typer.Option(help="Load the demo on an empty log and print a demo ops key"),
    ] = False,
) -> None:
    """Serve the HTTP API (and the dashboard) with the projection runner."""
    settings = Settings.load()
    if demo:
        if settings.is_production:
            raise typer.BadParameter("--demo is for JAGA_ENV=dev only")
        secret = _prepare_demo(settings)
        url = f"http://{host}:{port}"
        typer.echo(f"Jaga serves {url}  (API docs: {url}/docs)")
        typer.echo(f"demo ops key:\n{secret}")
    from interfaces.http.app import create_app

    api = create_app(settings)
    # A full collection walks every object the server holds: 50-90 ms measured
    # under load, the slowest answers of all. What exists by now lives as long as
    # the server, so it is left out of every collection, and full collections wait
    # for 100 young ones instead of 10.
    gc.collect()
    gc.freeze()
    gc.set_threshold(*gc.get_threshold()[:2], 100)
    uvicorn.run(api, host=host, port=port, access_log=False, log_config=None)
