"""`jaga serve`: the HTTP API in one or many worker processes under uvicorn.

The port is bound before anything else happens, so a second server started by
mistake fails before it touches the log or its keys. Every worker serves HTTP;
one process per database (the leader, infrastructure/leader.py) runs the views and
the checkpoint timer, whichever worker or host it is.
"""

from __future__ import annotations

import gc
import os
import shutil
import signal
import socket
import sys
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer
import uvicorn
from fastapi import FastAPI

from infrastructure.keys import KeyStore
from infrastructure.settings import Settings
from infrastructure.wiring import open_app, running_server
from interfaces.cli.common import _, fail

DEMO_KEY_NAME = "demo ops key"
METRICS_DIR = "PROMETHEUS_MULTIPROC_DIR"


def _prepare_demo(settings: Settings) -> str:
    """Loads the demo into an empty log and issues a fresh demo ops key; revokes the
    earlier demo keys only when no server runs on this log (one may be using it)."""
    from application.demo import load_demo

    running = running_server(settings)
    jaga = open_app(settings)
    try:
        if jaga.log.max_position() == 0:
            steps = load_demo(jaga)
            typer.echo(
                _(
                    "demo: loaded %(steps)s steps, log at position %(position)s",
                    steps=steps,
                    position=jaga.log.max_position(),
                )
            )
        keys = KeyStore(jaga.recorder)
        # Secrets cannot be shown twice, so each start issues a new demo key.
        if running is None:
            for old in keys.list():
                if old.name == DEMO_KEY_NAME and old.revoked_at is None:
                    keys.revoke(old.key_id)
        _key, secret = keys.create("ops", DEMO_KEY_NAME)
    finally:
        jaga.close()
    return secret


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        fail(
            _(
                "cannot listen on %(host)s:%(port)s (%(reason)s); is another server "
                "running there? Give another --port.",
                host=host,
                port=port,
                reason=error.strerror or str(error),
            ),
            code=1,
        )
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _tune_gc() -> None:
    # A full collection walks every object the server holds: 50-90 ms measured
    # under load, the slowest answers of all. What exists by now lives as long as
    # the server, so it is left out of every collection, and full collections wait
    # for 100 young ones instead of 10.
    gc.collect()
    gc.freeze()
    gc.set_threshold(*gc.get_threshold()[:2], 100)


def _die_with_parent() -> None:
    """A worker ends when its supervisor dies, however it dies (kill -9 included):
    no orphan keeps serving the port beside a restarted server."""
    import multiprocessing

    supervisor = multiprocessing.parent_process()
    if supervisor is None or not sys.platform.startswith("linux"):
        return
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != supervisor.pid:  # it died before we asked
        os.kill(os.getpid(), signal.SIGKILL)


def worker_app() -> FastAPI:
    """One worker's application (uvicorn's factory in each worker process)."""
    from interfaces.http.app import create_app

    _die_with_parent()
    api = create_app(Settings.load())
    _tune_gc()
    return api


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    demo: Annotated[
        bool,
        typer.Option(help="Load the demo on an empty log and print a demo ops key"),
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            help="Worker processes serving HTTP; on PostgreSQL default the number "
            "of cores, on SQLite 1 (the only choice).",
            min=1,
        ),
    ] = None,
) -> None:
    """Serve the HTTP API (and the dashboard) with the views and checkpoint timer."""
    settings = Settings.load()
    sqlite = settings.database_url.startswith("sqlite")
    if workers is None:
        workers = 1 if sqlite else (os.cpu_count() or 1)
    if sqlite and workers > 1:
        fail(
            _(
                "--workers %(workers)s needs PostgreSQL: a SQLite log is served by "
                "one process. Set JAGA_DATABASE_URL to a postgresql:// URL, or leave "
                "--workers out.",
                workers=workers,
            )
        )
    if demo and settings.is_production:
        fail(_("--demo is for JAGA_ENV=dev only"))
    sock = _bind(host, port)
    if demo:
        secret = _prepare_demo(settings)
        url = f"http://{host}:{port}"
        typer.echo(_("Jaga serves %(url)s  (API docs: %(url)s/docs)", url=url))
        typer.echo(_("demo ops key:") + f"\n{secret}")
    if workers == 1:
        from interfaces.http.app import create_app

        api = create_app(settings)
        _tune_gc()
        config = uvicorn.Config(
            api, host=host, port=port, access_log=False, log_config=None
        )
        uvicorn.Server(config).run(sockets=[sock])
        return
    _serve_workers(sock, host, port, workers)


def _serve_workers(sock: socket.socket, host: str, port: int, workers: int) -> None:
    """uvicorn's supervisor: starts the workers on the bound socket and starts a
    worker again if it dies. Their metrics meet in a folder (Prometheus'
    multiprocess mode), so /metrics from any worker counts every worker."""
    from uvicorn.supervisors import Multiprocess

    folder = Path(tempfile.mkdtemp(prefix="jaga-metrics-"))
    os.environ[METRICS_DIR] = str(folder)
    try:
        config: Any = uvicorn.Config(
            "interfaces.cli.server:worker_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            access_log=False,
            log_config=None,
        )
        Multiprocess(config, sockets=[sock]).run()
    finally:
        sock.close()
        shutil.rmtree(folder, ignore_errors=True)
