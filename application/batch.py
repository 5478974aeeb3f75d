"""Many commands run as one unit of work: decided in order, each on what the earlier
ones changed, saved together, each keeping its own answer or error.

A device back from a dead zone, the batch endpoint and `jaga import` send commands
that build on each other (register a site, then check in at it). Each command is
decided on the unit of work as the earlier commands left it, and all the writes go
to the store together. A write whose expectations no longer hold there (another
writer changed what it was decided on, or an earlier write of the batch it built on
was not stored) is run again alone, on fresh state, where the domain names the
real reason if there is one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from eventsourcing.domain import Aggregate

from application.commands.registry import Command
from application.errors import WriteNotStored
from application.running import check_right, decide, idempotency_of, run, settle
from application.saving import reused
from application.unit_of_work import UnitOfWork
from application.writes import Context, EarlierAnswer, Idempotency, PreparedWrite

if TYPE_CHECKING:
    from application.app import Jaga

MAX_BATCH = 1000


Answer = dict[str, Any]
Outcome = Answer | Exception
Item = tuple[Context, Command]  # a command and who runs it


def _alone(app: Jaga, item: Item) -> Outcome:
    try:
        return run(app, *item)
    except Exception as error:  # noqa: BLE001 - each command keeps its own error
        return error


def _answered_before(app: Jaga, keys: dict[int, Idempotency]) -> dict[int, Outcome]:
    """Commands whose key answered a write before this batch: that answer (or the
    reuse error), looked up for the whole batch at once."""
    if not keys:
        return {}
    found = app.log.find_answers([(k.scope, k.key) for k in keys.values()])
    out: dict[int, Outcome] = {}
    for i, k in keys.items():
        hit = found.get((k.scope, k.key))
        if hit is not None:
            out[i] = EarlierAnswer(hit[1]) if hit[0] == k.fingerprint else reused(k.key)
    return out


def run_batch(app: Jaga, items: Sequence[Item]) -> list[Outcome]:
    """Runs the commands as if sent one by one, in order, saving them together.

    Answers, in order, each command's answer or the error it met.
    """
    keys = {
        i: k for i, (ctx, cmd) in enumerate(items) if (k := idempotency_of(ctx, cmd))
    }
    outcome: dict[int, Outcome] = _answered_before(app, keys)
    uow = UnitOfWork(app)
    uow.preload(ref for _, command in items for ref in command.references())
    writes: dict[int, tuple[PreparedWrite, Sequence[Aggregate]]] = {}
    first_with_key: dict[tuple[str, str], int] = {}
    same_as: dict[int, int] = {}
    for i, (ctx, command) in enumerate(items):
        if i in outcome:
            continue
        key = keys.get(i)
        if key is not None:
            first = first_with_key.setdefault((key.scope, key.key), i)
            if first != i:
                # The same key twice: the later one answers as the first does.
                if keys[first].fingerprint != key.fingerprint:
                    outcome[i] = reused(key.key)
                else:
                    same_as[i] = first
                continue
        try:
            check_right(ctx, command)
            writes[i] = decide(app, uow, ctx, command, key)
        except Exception as error:  # noqa: BLE001 - each command keeps its own error
            outcome[i] = error
    again = _save(app, writes, outcome)
    for i in again:
        outcome[i] = _alone(app, items[i])
    for i, first in same_as.items():
        earlier = outcome.get(first)
        outcome[i] = earlier if isinstance(earlier, dict) else _alone(app, items[i])
    return [outcome[i] for i in range(len(items))]


def _save(
    app: Jaga,
    writes: dict[int, tuple[PreparedWrite, Sequence[Aggregate]]],
    outcome: dict[int, Outcome],
) -> list[int]:
    """Saves the writes together; the commands to decide again alone."""
    try:
        results = app.store_writes([w for w, _ in writes.values()])
    except WriteNotStored as error:
        # Nothing of the batch was stored: each command says so.
        outcome.update(dict.fromkeys(writes, error))
        return []
    again: list[int] = []
    for (i, (write, changed)), result in zip(writes.items(), results, strict=True):
        try:
            answer = settle(app, write, changed, result)
        except Exception as error:  # noqa: BLE001 - a reused key is this one's
            outcome[i] = error
            continue
        if answer is None:
            again.append(i)
        else:
            outcome[i] = answer
    return again
