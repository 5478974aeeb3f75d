"""Running a command: who may, where it lands, what it decides, and saving it,
again on fresh state when another writer changed what it was decided on.

`run` does it in the caller's thread. `run_async` does it on the event loop when
everything the command names is in memory, and only awaits the group commit; a
command that must read the store first runs as `run` in a worker thread.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from eventsourcing.domain import Aggregate

from application import access
from application.commands.registry import Command
from application.errors import CommandConflict, NotAllowed, WriteNotStored
from application.places import command_places
from application.unit_of_work import UnitOfWork
from application.writes import Appended, Context, Idempotency, PreparedWrite
from domain.errors import DomainError

if TYPE_CHECKING:
    from application.app import Jaga

RETRIES = 12


def idempotency_of(ctx: Context, command: Command) -> Idempotency | None:
    if ctx.idempotency_key is None:
        return None
    return Idempotency(ctx.actor.id, ctx.idempotency_key, command.fingerprint())


def check_right(ctx: Context, command: Command) -> None:
    if not access.may(ctx.actor.role, command.right):
        raise NotAllowed(
            f"the {ctx.actor.role} role may not do this",
            role=ctx.actor.role,
            right=command.right,
        )


def check_places(ctx: Context, command: Command, uow: UnitOfWork) -> None:
    """Refuses a command that names anything outside the key's regions; one whose
    every target is unknown passes, and then answers that it names nothing."""
    if ctx.scope is None:
        return
    requirements = command_places(command, uow)
    if requirements is not None and not all(
        access.within_any(ctx.scope, places) for places in requirements
    ):
        raise NotAllowed(
            "this names a site, unit or person outside this key's regions",
            scope=access.scope_text(ctx.scope),
        )


def decide(
    app: Jaga,
    uow: UnitOfWork,
    ctx: Context,
    command: Command,
    idempotency: Idempotency | None,
) -> tuple[PreparedWrite, Sequence[Aggregate]]:
    """The write of what the command decides on the unit of work, which keeps the
    changed aggregates for the unit's later commands; and those aggregates."""
    uow.begin(ctx.clock)
    check_places(ctx, command, uow)
    answer_id, aggregates = command.decide(uow)
    write = app.prepare(
        ctx, answer_id, aggregates, idempotency, uow.expectations(), list(uow.needs)
    )
    uow.keep(aggregates, write.event_ids)
    return write, aggregates


def settle(
    app: Jaga,
    write: PreparedWrite,
    aggregates: Sequence[Aggregate],
    result: Appended,
) -> dict[str, Any] | None:
    """The answer once the store has spoken; None to decide again."""
    answer = app.answer(write, result)
    if answer is None:
        app.forget(write)
    elif result.status == "stored":
        app.keep(aggregates)
    return answer


def _jitter(attempt: int) -> float:
    # Writers that met on one version spread out before they try again.
    return random.uniform(0, 0.002 * attempt)


def run(app: Jaga, ctx: Context, command: Command) -> dict[str, Any]:
    check_right(ctx, command)
    idempotency = idempotency_of(ctx, command)
    for attempt in range(RETRIES):
        if attempt:
            time.sleep(_jitter(attempt))
        try:
            write, changed = decide(app, UnitOfWork(app), ctx, command, idempotency)
        except DomainError:
            # A repeat of a write that went through may no longer be allowed: the
            # key answers as it did the first time.
            earlier = None if idempotency is None else app.replay(idempotency)
            if earlier is not None:
                return earlier
            raise
        [result] = app.store_writes([write])
        answer = settle(app, write, changed, result)
        if answer is not None:
            return answer
    raise CommandConflict("the record changed too often while saving; try again")


async def run_async(app: Jaga, ctx: Context, command: Command) -> dict[str, Any]:
    """`run` without leaving the event loop when the command can be decided from
    memory: no thread, one await for the group commit."""
    if not command.in_memory or not app.in_memory(command.references()):
        return await asyncio.to_thread(run, app, ctx, command)
    check_right(ctx, command)
    idempotency = idempotency_of(ctx, command)
    for attempt in range(RETRIES):
        if attempt:
            await asyncio.sleep(_jitter(attempt))
        if not app.in_memory(command.references()):
            return await asyncio.to_thread(run, app, ctx, command)
        try:
            write, changed = decide(app, UnitOfWork(app), ctx, command, idempotency)
        except DomainError:
            if idempotency is None:
                raise
            earlier = await asyncio.to_thread(app.replay, idempotency)
            if earlier is not None:
                return earlier
            raise
        try:
            [result] = await asyncio.wrap_future(app.committer.submit([write]))
        except DomainError:
            raise
        except Exception as error:
            raise WriteNotStored(error) from error
        answer = settle(app, write, changed, result)
        if answer is not None:
            return answer
    raise CommandConflict("the record changed too often while saving; try again")
