"""The `jaga` command: demo data, the log, and the tools around them."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

import typer

from domain.regions import ZONES
from infrastructure.settings import Settings
from infrastructure.wiring import open_app
from interfaces.cli import audit, backup, bench, importing, projections, reports
from interfaces.cli.common import _, fail, open_log, progress
from interfaces.cli.keys import keys_app
from interfaces.cli.server import serve
from interfaces.cli.witness import witness_app

app = typer.Typer(
    help="Jaga: the record of election security operations.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(keys_app, name="keys")
app.add_typer(witness_app, name="witness")
app.command()(serve)
audit.register(app)
backup.register(app)
bench.register(app)
importing.register(app)
projections.register(app)
reports.register(app)


@app.command()
def demo(
    today: Annotated[
        bool,
        typer.Option(
            "--today",
            help="Move the story so its voting day is today; what is later than "
            "now waits for a later run",
        ),
    ] = False,
) -> None:
    """Load the demo scenario from the seed reports (safe to run twice)."""
    from application.demo import VOTING_DAY, WIB, load_demo, load_today
    from domain.errors import AlreadyRegistered

    day = datetime.now(WIB).date() if today else VOTING_DAY
    jaga = open_app()
    try:
        before = jaga.log.max_position()
        try:
            with progress(_("loading the demo"), None):
                steps = load_today(jaga) if today else load_demo(jaga)
        except AlreadyRegistered:
            fail(
                _(
                    "demo: this store holds the demo of another voting day; load it "
                    "into an empty store"
                ),
                code=1,
            )
        after = jaga.log.max_position()
    finally:
        jaga.close()
    typer.echo(
        _(
            "demo: voting day %(day)s, %(steps)s steps, %(events)s new events, log "
            "at position %(position)s",
            day=day.isoformat(),
            steps=steps,
            events=after - before,
            position=after,
        )
    )


def _local(iso: str | None, zone: str = "WIB") -> str:
    if not iso:
        return "-"
    return (
        datetime.fromisoformat(iso)
        .astimezone(ZONES[zone])
        .strftime(f"%Y-%m-%d %H:%M {zone}")
    )


def _summary(data: dict[str, Any]) -> str:
    keys = (
        "site_id",
        "unit_id",
        "personnel_id",
        "name",
        "kind",
        "level",
        "status",
        "category",
        "severity",
        "shift_id",
        "incoming_shift_id",
        "condition",
    )
    return " ".join(f"{k}={data[k]}" for k in keys if data.get(k) not in (None, ""))


@app.command()
def events(
    after: Annotated[int, typer.Option(help="Start after this position.")] = 0,
    limit: Annotated[int, typer.Option(help="At most this many events.")] = 10_000,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON record a line.")
    ] = False,
) -> None:
    """Print the log in order: position, type, field and server time, actor, tags."""
    jaga = open_log()
    try:
        position = after
        remaining = limit
        while remaining > 0:
            batch = jaga.records(after=position, limit=min(remaining, 1000))
            if not batch:
                break
            for r in batch:
                if as_json:
                    typer.echo(json.dumps(r, ensure_ascii=False))
                    continue
                tag = f"{r['election'] or '-'}/{r['stage'] or '-'}"
                late = " late" if r["late"] else ""
                typer.echo(
                    f"{r['position']:>6} {r['type']:<26} "
                    f"field {_local(r['occurred_at'])}"
                    f"  server {_local(r['recorded_at'])}  by {r['actor']['name']}"
                    f" ({r['actor']['role']})  {tag}{late}  {_summary(r['data'])}"
                )
            position = batch[-1]["position"]
            remaining -= len(batch)
    finally:
        jaga.close()


@app.command()
def settings() -> None:
    """Show the settings in force (from the environment and .env)."""
    s = Settings.load()
    typer.echo(
        f"JAGA_DATABASE_URL={s.database_url}\nJAGA_SIGNING_KEY_FILE="
        f"{s.signing_key_file}\nJAGA_LOG_ORIGIN={s.log_origin}\nJAGA_ENV={s.env}"
        f"\nJAGA_WITNESSES={s.witnesses}"
    )


if __name__ == "__main__":
    app()
