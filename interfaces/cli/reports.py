"""`jaga report`: the daily activity and post-election review reports as JSON, HTML
or PDF, and `jaga report check`, which rebuilds a report from an export bundle."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import structlog
import typer

from domain.errors import DomainError
from infrastructure.settings import Settings

report_app = typer.Typer(
    help="Reports built from the log at a stated position and checkpoint.",
    no_args_is_help=True,
)
Out = Annotated[
    Path | None,
    typer.Option(
        "--out", help="FILE.pdf, FILE.html or FILE.json; default JSON to stdout."
    ),
]
Lang = Annotated[str, typer.Option("--lang", help="id (default) or en.")]
Position = Annotated[
    int | None, typer.Option("--position", help="Build at this log position.")
]
Bawaslu = Annotated[
    bool, typer.Option("--bawaslu", help="Bawaslu's reading (covert guards hidden).")
]


@contextmanager
def _stores() -> Iterator[tuple[Any, Any]]:
    from infrastructure.audit.service import AuditService
    from infrastructure.views.wiring import projections, view_store
    from interfaces.cli.common import open_log, refuse

    if not structlog.is_configured():
        structlog.configure(logger_factory=lambda *_: structlog.PrintLogger(sys.stderr))
    settings = Settings.load()
    jaga = open_log(settings)
    try:
        projections(jaga).catch_up()  # the views reach the log's end first
        yield view_store(jaga), AuditService(jaga, settings, create_key=False)
    except DomainError as error:
        refuse(error)
    finally:
        jaga.close()


def _write(envelope: dict[str, Any], out: Path | None, lang: str) -> None:
    if out is None or out.suffix == ".json":
        text = json.dumps(envelope, indent=1, ensure_ascii=False)
        if out is None:
            typer.echo(text)
            return
        out.write_text(text + "\n", encoding="utf-8")
    elif out.suffix in (".html", ".pdf"):
        from interfaces.reports.shapes import as_html, as_pdf

        if out.suffix == ".html":
            out.write_text(as_html(envelope, lang), encoding="utf-8")
        else:
            out.write_bytes(as_pdf(envelope, lang))
    else:
        raise typer.BadParameter("use .pdf, .html or .json", param_hint="--out")
    typer.echo(
        f"{envelope['kind']} report at log position {envelope['position']}, "
        f"digest {envelope['digest']}: {out}",
        err=True,
    )


def _make(
    kind: str, parameters: dict[str, Any], bawaslu: bool, position: int | None
) -> dict[str, Any]:
    from infrastructure import reports

    with _stores() as (store, audit):
        return reports.build(
            store,
            audit,
            kind,
            parameters,
            audience="bawaslu" if bawaslu else "full",
            position=position,
        )


@report_app.command()
def daily(
    site: Annotated[str, typer.Option("--site", help="The site's id.")],
    day: Annotated[str, typer.Option("--date", help="The day, e.g. 2024-11-27.")],
    out: Out = None,
    lang: Lang = "id",
    position: Position = None,
    bawaslu: Bawaslu = False,
) -> None:
    """The daily activity report of a site for a day in the site's zone."""
    envelope = _make(
        "daily", {"site_id": site, "date": _date(day, "--date")}, bawaslu, position
    )
    _write(envelope, out, lang)


@report_app.command()
def unit(
    unit_id: Annotated[str, typer.Option("--unit", help="The unit's id.")],
    day: Annotated[str, typer.Option("--date", help="The day, e.g. 2024-11-27.")],
    out: Out = None,
    lang: Lang = "id",
    position: Position = None,
    bawaslu: Bawaslu = False,
) -> None:
    """The daily activity report of a unit for a day in its region's zone."""
    envelope = _make(
        "unit", {"unit_id": unit_id, "date": _date(day, "--date")}, bawaslu, position
    )
    _write(envelope, out, lang)


@report_app.command()
def review(
    province: Annotated[str, typer.Option("--province")],
    start: Annotated[str, typer.Option("--from", help="First day.")],
    end: Annotated[str, typer.Option("--to", help="Last day.")],
    regency: Annotated[str | None, typer.Option("--regency")] = None,
    out: Out = None,
    lang: Lang = "id",
    position: Position = None,
    bawaslu: Bawaslu = False,
) -> None:
    """The post-election review of a province or regency for a period."""
    parameters = {
        "province": province,
        "regency": regency,
        "from": _date(start, "--from"),
        "to": _date(end, "--to"),
    }
    _write(_make("review", parameters, bawaslu, position), out, lang)


@report_app.command()
def check(
    report: Annotated[Path, typer.Argument(help="The report's JSON.")],
    bundle: Annotated[Path, typer.Argument(help="A bundle from position 1.")],
) -> None:
    """Rebuild a report from an export bundle, offline; exit 0 only if it is the
    report the log builds, at a position the signed checkpoint covers."""
    from infrastructure.reports import check as check_report

    for path in (report, bundle):
        if not path.is_file():
            typer.echo(f"error: no such file: {path}", err=True)
            raise typer.Exit(2)
    try:
        envelope = json.loads(report.read_text(encoding="utf-8"))
        problems = check_report(envelope, bundle.read_bytes())
    except (ValueError, KeyError, TypeError, DomainError) as error:
        problems = [f"not a report this version can check: {error}"]
    if problems:
        for problem in problems:
            typer.echo(f"FAIL: {problem}")
        raise typer.Exit(1)
    typer.echo(
        f"OK: the {envelope['kind']} report is the one the log builds at position "
        f"{envelope['position']} (digest {envelope['digest']})"
    )


def _date(value: str, hint: str) -> str:
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise typer.BadParameter("a date like 2024-11-27", param_hint=hint) from None


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, name="report")
