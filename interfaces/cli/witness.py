"""`jaga witness`: run an independent witness, make its key, and compare what
several witnesses cosigned to catch a log that showed them different histories."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

witness_app = typer.Typer(
    help="An independent witness that cosigns the log's checkpoints.",
    no_args_is_help=True,
)

Name = Annotated[
    str,
    typer.Option(
        envvar="JAGA_WITNESS_NAME",
        help="The witness's key name, a schema-less URL: bawaslu.go.id/jaga-witness.",
    ),
]
KeyFile = Annotated[
    Path,
    typer.Option(envvar="JAGA_WITNESS_KEY_FILE", help="Its Ed25519 private key."),
]


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def _verifier(text: str, what: str):  # type: ignore[no-untyped-def]
    from infrastructure.audit.note import NoteError, parse_vkey

    try:
        return parse_vkey(text)
    except NoteError as exc:
        _fail(f"{what} {text!r}: {exc}")


@witness_app.command("init")
def init(name: Name, key_file: KeyFile = Path("var/witness.key")) -> None:
    """Create the witness key (never overwrites one) and print its verifier key,
    which the log's operator and every verifier configure."""
    from infrastructure.audit.checkpoint import load_or_create_signing_key
    from infrastructure.audit.note import NoteError, witness_verifier

    existed = key_file.exists()
    try:
        verifier = witness_verifier(name, load_or_create_signing_key(key_file))
    except (NoteError, ValueError) as exc:
        _fail(str(exc))
        return
    typer.echo(
        f"{'kept the existing' if existed else 'created'} key {key_file}", err=True
    )
    typer.echo(verifier.vkey)


@witness_app.command("serve")
def serve(
    name: Name,
    log: Annotated[
        list[str],
        typer.Option(
            envvar="JAGA_WITNESS_LOGS",
            help="A log's verifier key (origin+id+key, `jaga keys signing-init` "
            "prints it); repeat for more.",
        ),
    ],
    key_file: KeyFile = Path("var/witness.key"),
    state: Annotated[
        Path,
        typer.Option(envvar="JAGA_WITNESS_STATE", help="Its own SQLite state file."),
    ] = Path("var/witness.sqlite3"),
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8100,
) -> None:
    """Serve the witness (POST /add-checkpoint); it reads no log database."""
    import uvicorn

    from infrastructure.audit.checkpoint import load_or_create_signing_key
    from infrastructure.audit.note import ED25519, NoteError
    from infrastructure.audit.witness import Witness, WitnessState
    from infrastructure.logging import configure_logging
    from infrastructure.settings import Settings
    from interfaces.witness.app import create_witness_app

    logs = [_verifier(v, "log key") for text in log for v in text.split()]
    if not logs or any(v.kind != ED25519 for v in logs):
        _fail("give each log's Ed25519 verifier key (type 0x01) with --log")
    try:
        key = load_or_create_signing_key(key_file)
        witness = Witness(name, key, logs, WitnessState(state))
    except (NoteError, ValueError, OSError) as exc:
        _fail(str(exc))
        return
    configure_logging(Settings.load())
    typer.echo(f"witness {witness.verifier.vkey}", err=True)
    for verifier in logs:
        typer.echo(f"trusts log {verifier.vkey}", err=True)
    uvicorn.run(
        create_witness_app(witness),
        host=host,
        port=port,
        access_log=False,
        log_config=None,
    )


@witness_app.command("compare")
def compare(
    notes: Annotated[
        list[str],
        typer.Argument(
            help="Cosigned checkpoints: files, `-`, or witness URLs "
            "(their /checkpoint?origin=… is fetched)."
        ),
    ],
    log: Annotated[str, typer.Option(help="The log's verifier key.")],
    witness: Annotated[
        list[str] | None,
        typer.Option(help="A witness's verifier key; repeat for more."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Compare checkpoints several witnesses cosigned: exit 1 when two of them hold
    different roots for one size (the log showed them different histories)."""
    from infrastructure.audit.quorum import compare_notes, fetch_note

    log_key = _verifier(log, "log key")
    witnesses = [_verifier(w, "witness key") for w in witness or []]
    texts: list[tuple[str, str]] = []
    for source in notes:
        try:
            if source == "-":
                text = sys.stdin.read()
            elif source.startswith(("http://", "https://")):
                text = fetch_note(source, log_key.name)
            else:
                text = Path(source).read_text(encoding="utf-8")
        except (OSError, ValueError) as exc:
            _fail(f"{source}: {exc}")
            return
        texts.append((source, text))
    result = compare_notes(texts, log_key, witnesses)
    if as_json:
        typer.echo(json.dumps(result.as_dict(), indent=2))
    else:
        for line in result.lines():
            typer.echo(line)
    raise typer.Exit(1 if result.split else 0)
