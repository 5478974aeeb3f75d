"""`jaga import`: commands in the batch endpoint's format, one JSON object a line,
read and checked exactly as the batch endpoint reads them."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from application.batch import MAX_BATCH, run_batch
from application.commands import Command
from application.writes import Actor, Context, EarlierAnswer
from infrastructure.wiring import open_app
from interfaces.cli.common import _, progress
from interfaces.http.batch import Item, read_item
from interfaces.http.errors import outcome, validation_body

IMPORTER = Actor(id="cli-import", name="jaga import", role="ops")
Line = tuple[int, Item | Exception]


def _lines(path: Path) -> Iterator[Line]:
    """Each non-blank line as a batch item, or why it is not one."""
    with path.open(encoding="utf-8", errors="replace") as f:
        for number, text in enumerate(f, 1):
            if not text.strip():
                continue
            try:
                yield number, Item.model_validate_json(text)
            except ValidationError as error:
                yield number, error


def _reason(error: Exception) -> str:
    if isinstance(error, ValidationError):
        body: dict[str, Any] = validation_body(list(error.errors()))
    else:
        body = outcome(error)[1]
    return str(body["error"]["message"])


class Tally:
    def __init__(self) -> None:
        self.written = self.present = self.refused = 0

    def add(self, number: int, result: Any) -> None:
        if isinstance(result, Exception):
            self.refused += 1
            typer.echo(f"line {number}: refused: {_reason(result)}", err=True)
        elif isinstance(result, EarlierAnswer):
            self.present += 1
        else:
            self.written += 1


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

    Each line runs as if sent alone, in order. A line already imported (its
    idempotency key answered before) writes nothing; a refused line is reported
    with its number and reason and the rest go on. Exits 1 when any line was
    refused.
    """
    lines = list(_lines(file))
    ctx = Context(actor=IMPORTER, correlation_id=f"import-{uuid.uuid4()}")
    tally = Tally()
    jaga = open_app()
    try:
        with progress(_("importing"), len(lines)) as bar:
            for start in range(0, len(lines), chunk):
                part = lines[start : start + chunk]
                read = [
                    i if isinstance(i, Exception) else read_item(i, IMPORTER.role)
                    for _number, i in part
                ]
                runnable = [
                    (_with_key(ctx, item), command)
                    for (_number, item), command in zip(part, read, strict=True)
                    if isinstance(command, Command) and isinstance(item, Item)
                ]
                done = iter(run_batch(jaga, runnable))
                for (number, _item), command in zip(part, read, strict=True):
                    tally.add(
                        number,
                        command if isinstance(command, Exception) else next(done),
                    )
                bar.advance(len(part))
    finally:
        jaga.close()
    typer.echo(
        _(
            "import: %(written)s written, %(present)s already present, %(refused)s "
            "refused, of %(lines)s lines",
            written=tally.written,
            present=tally.present,
            refused=tally.refused,
            lines=len(lines),
        )
    )
    if tally.refused:
        raise typer.Exit(1)


def _with_key(ctx: Context, item: Item) -> Context:
    return Context(
        actor=ctx.actor,
        correlation_id=ctx.correlation_id,
        idempotency_key=item.idempotency_key,
    )


def register(app: typer.Typer) -> None:
    app.command("import")(import_commands)
