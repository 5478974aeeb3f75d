"""Evidence files inside an export bundle: one `attachment` line per file the
bundle's events name (`sha256`, `size`, `type`, `content` in base64), after the
events, so an offline verifier checks every included file against the hash the
Merkle log covers. In a redacted bundle a file only events hidden from its reader
name (a covert site's photo, for Bawaslu) is a line marked `withheld`, no content."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from domain.evidence import referenced
from infrastructure.attachments.content import sniff

KIND = "attachment"


def named_files(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The files an event record names, a correction's new ones included."""
    data = record.get("data") or {}
    found = referenced(data)
    if record.get("type") == "EntryCorrected":
        found += referenced(data.get("changes") or {})
    return found


def _line(obj: dict[str, Any]) -> bytes:
    # The bundle's own line format (infrastructure/audit/bundle.py).
    return json.dumps(obj, sort_keys=True, ensure_ascii=False).encode("utf-8") + b"\n"


def stream_with_files(
    lines: Iterable[bytes],
    read: Callable[[str], bytes],
    shown: Callable[[int], bool] | None = None,
) -> Iterator[bytes]:
    """A bundle's lines with every file its events name after them, and its header
    saying so; the events pass through one at a time. A file named only at
    positions `shown` refuses is withheld."""
    it = iter(lines)
    header = json.loads(next(it))
    yield _line({**header, "attachments": True})
    wanted: dict[str, dict[str, Any]] = {}
    visible: set[str] = set()
    for raw in it:
        obj = json.loads(raw)
        if obj.get("kind") == "event":
            for ref in named_files(obj["record"]):
                wanted.setdefault(ref["sha256"], ref)
                if shown is None or shown(obj["position"]):
                    visible.add(ref["sha256"])
        yield raw if raw.endswith(b"\n") else raw + b"\n"
    for sha256, ref in sorted(wanted.items()):
        if sha256 not in visible:
            yield _line({"kind": KIND, **ref, "withheld": True})
            continue
        content = read(sha256)
        yield _line(
            {"kind": KIND, **ref, "content": base64.b64encode(content).decode("ascii")}
        )


def with_files(bundle: bytes, read: Callable[[str], bytes]) -> bytes:
    """The bundle with every file its events name, and its header saying so."""
    return b"".join(stream_with_files(bundle.splitlines(keepends=True), read))


def take_files(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Removes the trailing attachment lines from a parsed bundle; returns them."""
    files: list[dict[str, Any]] = []
    while objects and objects[-1].get("kind") == KIND:
        files.insert(0, objects.pop())
    return files


def problem(
    files: list[dict[str, Any]],
    records: list[dict[str, Any]],
    complete: bool,
    redacted: bool = False,
) -> tuple[str, int | None] | None:
    """The first thing wrong with the included files, and the first position that
    names the file concerned; None when every file is the one the events name. A
    redacted bundle may withhold a file (its line says so and has no content)."""
    named: dict[str, tuple[dict[str, Any], int]] = {}
    for record in records:
        for ref in named_files(record):
            named.setdefault(ref["sha256"], (ref, record["position"]))
    seen: set[str] = set()
    for f in files:
        sha = f.get("sha256")
        if not isinstance(sha, str) or sha not in named:
            return f"attachment {str(sha)[:16]}: no event in the bundle names it", None
        ref, position = named[sha]
        if sha in seen:
            return f"attachment {sha[:16]}… is included twice", position
        seen.add(sha)
        if f.get("withheld") is True and redacted and "content" not in f:
            continue
        try:
            content = base64.b64decode(f.get("content", ""), validate=True)
        except (binascii.Error, ValueError, TypeError):
            return f"attachment {sha[:16]}…: its content is not base64", position
        if hashlib.sha256(content).hexdigest() != sha:
            return (
                f"attachment {sha[:16]}…: its bytes do not hash to the SHA-256 the "
                "event names (the file was changed)",
                position,
            )
        if (f.get("size"), f.get("type")) != (ref["size"], ref["type"]) or (
            len(content),
            sniff(content[:16]),
        ) != (ref["size"], ref["type"]):
            return (
                f"attachment {sha[:16]}…: not the size or type the event names",
                position,
            )
    if complete:
        missing = sorted(set(named) - seen)
        if missing:
            return (
                f"attachment {missing[0][:16]}… is named but not included",
                named[missing[0]][1],
            )
    return None
