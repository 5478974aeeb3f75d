"""`jaga bench`: the performance bench."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer


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
    workers: Annotated[
        int | None,
        typer.Option(min=1, max=64, help="Server workers of the second run (cores)"),
    ] = None,
    out: Annotated[Path, typer.Option(help="Where the JSON goes")] = Path("var/bench"),
) -> None:
    """Voting day over real HTTP against a fresh PostgreSQL database, with every
    baseline measured in the same run; prints ratios, writes var/bench/*.json."""
    from infrastructure.bench.harness import Plan, run, table

    plan = Plan.make(quick, scale, seed, workers)
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
    app.command("bench")(bench)
