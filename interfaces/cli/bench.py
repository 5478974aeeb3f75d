"""`jaga import` (batch commands from JSON Lines) and `jaga bench` (performance)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Annotated, Any

import typer

from application.batch import MAX_BATCH, commands_from, run_batch
from application.writes import Actor, Context
from infrastructure.wiring import open_app

IMPORTER = Actor(id="cli-import", name="jaga import", role="ops")


def _lines(path: Path) -> list[tuple[int, object]]:
    items: list[tuple[int, object]] = []
    with path.open(encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                items.append((number, json.loads(line)))
            except json.JSONDecodeError as error:
                raise typer.BadParameter(
                    f"line {number}: not JSON ({error.msg})", param_hint="FILE"
                ) from None
    return items


def import_commands(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            readable=True,
            help="JSON Lines: one {idempotency_key, method, path, body} a line",
        ),
    ],
    chunk: Annotated[
        int, typer.Option(min=1, max=MAX_BATCH, help="Commands saved together")
    ] = MAX_BATCH,
) -> None:
    """Import commands in the batch endpoint's format, a batch at a time.

    Each line runs as if sent alone, in order; a line that fails is reported with
    its number and the rest go on. Exits 1 when any line failed.
    """
    items = _lines(file)
    ctx = Context(actor=IMPORTER, correlation_id=f"import-{uuid.uuid4()}")
    jaga = open_app()
    saved = failed = 0
    try:
        for start in range(0, len(items), chunk):
            part = items[start : start + chunk]
            outcomes = run_batch(jaga, commands_from([i for _, i in part], ctx))
            for (number, _), outcome in zip(part, outcomes, strict=True):
                if isinstance(outcome, Exception):
                    failed += 1
                    code = getattr(outcome, "code", type(outcome).__name__)
                    typer.echo(f"line {number}: {code}: {outcome}", err=True)
                else:
                    saved += 1
    finally:
        jaga.close()
    typer.echo(f"import: {saved} saved, {failed} failed, of {len(items)} lines")
    if failed:
        raise typer.Exit(1)


def bench(
    quick: Annotated[bool, typer.Option("--quick", help="Under three minutes")] = False,
    scale: Annotated[
        float | None,
        typer.Option(
            min=0.0001,
            max=10,
            help="TPS as a share of Jawa Timur's 120,000 (quick 0.005, full 0.1)",
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="Workload seed")] = 1,
    out: Annotated[Path, typer.Option(help="Where the JSON goes")] = Path("var/bench"),
) -> None:
    """Voting day over real HTTP against a fresh PostgreSQL database, with every
    baseline measured in the same run; prints ratios, writes var/bench/*.json."""
    from infrastructure.bench.harness import Plan, run, table

    plan = Plan.make(quick, scale, seed)
    mode = "quick" if quick else "full"
    typer.echo(
        f"jaga bench ({mode}): scale {plan.scale}, seed {plan.seed}, "
        f"{plan.concurrency} clients, {plan.rate:.0f} events/s for "
        f"{plan.load_seconds:.0f} s under load"
    )
    try:
        result: dict[str, Any] = run(plan, out, lambda s: typer.echo(s, err=True))
    except RuntimeError as error:  # no PostgreSQL, or the server did not start
        typer.echo(f"jaga bench: {error}", err=True)
        raise typer.Exit(2) from None
    typer.echo(table(result))
    typer.echo(f"\n{result['seconds']} s; written to {result['file']}")


def register(app: typer.Typer) -> None:
    app.command("import")(import_commands)
    app.command("bench")(bench)
