"""`jaga project` and `jaga rebuild`: run, follow, rebuild and measure the views."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from application.app import Jaga
from application.calendar import ElectionCalendar
from application.read import VIEW_NAMES
from infrastructure.settings import Settings
from infrastructure.store import library_env
from infrastructure.wiring import open_app, open_projections
from interfaces.cli.common import _, fail, open_log, progress


def project(
    follow: Annotated[bool, typer.Option(help="Keep following new events.")] = False,
    measure: Annotated[
        bool,
        typer.Option(
            help="Print the catch-up rate next to the library's raw select rate."
        ),
    ] = False,
    scratch: Annotated[
        int,
        typer.Option(
            help="With --measure: measure on a scratch store of the demo plus "
            "this many synthetic events, not on the configured one."
        ),
    ] = 0,
    batch: Annotated[int, typer.Option(help="Events per transaction.")] = 1000,
) -> None:
    """Bring the views up to the end of the log (and with --follow, keep them there)."""
    if measure:
        _measure(scratch, batch)
        return
    app = open_log()
    try:
        service = open_projections(app)
        service.batch_size = batch
        total = service.lag()["positions"]
        started = time.perf_counter()
        with progress(_("projecting"), total) as bar:
            done = service.catch_up(progress=bar.to)
        seconds = time.perf_counter() - started
        rate = round(done / seconds) if seconds and done else 0
        position = service.store.position()
        typer.echo(
            _(
                "projected %(done)s events in %(seconds)s s (%(rate)s events/s); "
                "views at position %(position)s",
                done=done,
                seconds=round(seconds, 2),
                rate=rate,
                position=position,
            )
        )
        if follow:
            _follow(app)
    finally:
        app.close()


def _follow(app: Jaga) -> None:
    service = open_projections(app)
    service.start()
    typer.echo("following the log; Ctrl-C stops")
    try:
        while True:
            time.sleep(5)
            lag = service.lag()
            error = f"  error: {lag['error']}" if "error" in lag else ""
            typer.echo(
                f"position {lag['position']}/{lag['log_position']}, behind "
                f"{lag['positions']} events, {lag['seconds']:.1f} s{error}"
            )
    except KeyboardInterrupt:
        typer.echo("stopping")
    finally:
        service.stop()


def _measure(scratch: int, batch: int) -> None:
    from infrastructure.views.measure import add_synthetic, measure, scratch_url
    from infrastructure.views.store import ViewStore

    settings = Settings.load()
    if not scratch:
        app = open_app(settings)
        try:
            _report(measure(app, ViewStore(app), batch), settings.database_url)
        finally:
            app.close()
        return
    with scratch_url(settings.database_url) as url:
        app = Jaga(env=library_env(url), calendar=ElectionCalendar.load())
        try:
            typer.echo(
                f"writing the demo and {scratch} synthetic events to a scratch "
                "store ..."
            )
            add_synthetic(app, scratch)
            _report(measure(app, ViewStore(app), batch), url)
        finally:
            app.close()


def _report(result: dict[str, dict[str, float]], url: str) -> None:
    raw, views = result["raw_select_decode"], result["catch_up"]
    store = url.split(":", 1)[0]
    typer.echo(f"store: {store}")
    typer.echo(
        f"library select_notifications + decode: {raw['events']:.0f} events in "
        f"{raw['seconds']:.2f} s = {raw['rate']:,.0f} events/s"
    )
    typer.echo(
        f"views catch-up (all views, batched):   {views['events']:.0f} events"
        " in "
        f"{views['seconds']:.2f} s = {views['rate']:,.0f} events/s"
    )
    if raw["rate"]:
        typer.echo(f"catch-up / raw select: {views['rate'] / raw['rate']:.2f}")


def rebuild(
    view: Annotated[
        str | None,
        typer.Argument(help=f"One of {', '.join(VIEW_NAMES)}; all when left out."),
    ] = None,
    batch: Annotated[int, typer.Option(help="Events per transaction.")] = 2000,
) -> None:
    """Rebuild views from the log into new tables and swap them in; reads keep
    using the old tables until the swap."""
    from infrastructure.views.rebuild import rebuild as run_rebuild
    from infrastructure.views.store import ViewStore

    if view is not None and view not in VIEW_NAMES:
        fail(
            _(
                "unknown view %(view)s; views: %(views)s",
                view=view,
                views=", ".join(VIEW_NAMES),
            )
        )
    app = open_log()
    try:
        started = time.perf_counter()
        with progress(_("rebuilding"), None) as bar:

            def advance(done: int, total: int) -> None:
                bar.total(total)
                bar.to(done)

            built = run_rebuild(
                ViewStore(app), [view] if view else None, batch=batch, progress=advance
            )
        seconds = time.perf_counter() - started
        typer.echo(
            _(
                "rebuilt %(views)s from %(events)s events in %(seconds)s s; swapped "
                "in at position %(position)s",
                views=view or _("all views"),
                events=built.events,
                seconds=round(seconds, 2),
                position=built.position,
            )
        )
    finally:
        app.close()


def register(app: typer.Typer) -> None:
    app.command()(project)
    app.command()(rebuild)
