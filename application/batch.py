"""Many commands run as one unit: decided in order on an overlay of what earlier
ones changed, saved together in one transaction, each keeping its own answer or error.

A device back from a dead zone, the batch endpoint and `jaga import` send commands
that build on each other (register a site, then check in at it). Each command is
decided against the aggregates as the earlier commands of the batch left them, and
all the writes go to the store together. A write that loses a race with another
writer (and every later write decided on its state, whose expectations then fail)
is run again alone, on fresh state, where the domain names the real reason if
there is one.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Sequence
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from application.app import Jaga, reused
from application.commands.base import unknown
from application.errors import IdempotencyKeyReused, WriteNotStored
from application.writes import Context, Idempotency, PreparedWrite, fingerprint
from domain.errors import InvalidValue, NotFound

A = TypeVar("A", bound=Aggregate)
Answer = dict[str, Any]
Command = Callable[[Jaga], Answer]
Outcome = Answer | Exception

MAX_BATCH = 1000
DISCOVERY_PASSES = 3  # a command names at most a few ids before it decides


@dataclass
class _Slot:
    """What one command of the batch decided."""

    write: int | None = None  # its write's number in the batch
    same_as: int | None = None  # an earlier command with the same idempotency key
    reads: set[UUID] = field(default_factory=set)


@dataclass
class _State:
    overlay: dict[UUID, Aggregate] = field(default_factory=dict)
    writes: list[PreparedWrite] = field(default_factory=list)
    keys: dict[tuple[str, str], tuple[str, int]] = field(default_factory=dict)
    keyed: list[int] = field(default_factory=list)  # writes with a key
    # Read-only memos for the batch's few milliseconds: a change that races with
    # them is caught by the versions at commit, as on the one-by-one path.
    loaded: dict[UUID, Aggregate] = field(default_factory=dict)
    absent: set[UUID] = field(default_factory=set)
    known: dict[UUID, bool] = field(default_factory=dict)
    # While discovering, an id not yet known or loaded stops its command and is
    # read with the others of the pass in one query, instead of one query each.
    discovering: bool = False
    misses: set[UUID] = field(default_factory=set)
    load_misses: set[UUID] = field(default_factory=set)
    slot: _Slot = field(default_factory=_Slot)
    index: int = 0


class _Overlay(Jaga):
    """The application as one batch sees it; it shares the app's store and caches."""

    _batch: _State

    def __del__(self) -> None:
        pass  # the view owns nothing; closing it would close the app's store

    def close(self) -> None:
        pass

    def load(
        self,
        cls: type[A],
        aggregate_id: UUID,
        field: str,
        label: str,
        *,
        copy: bool = True,
    ) -> A:
        state = self._batch
        found = state.overlay.get(aggregate_id)
        if found is not None:
            state.slot.reads.add(aggregate_id)
        else:
            found = state.loaded.get(aggregate_id)
            if found is None:
                if aggregate_id in state.absent:
                    raise unknown(field, label)
                if state.discovering and not self.cached(aggregate_id):
                    state.load_misses.add(aggregate_id)
                    raise _Miss
                found = super().load(cls, aggregate_id, field, label)
                state.loaded[aggregate_id] = found
        if not isinstance(found, cls):
            raise unknown(field, label)
        # A copy, so a command that fails half-way leaves the overlay untouched;
        # a look that changes nothing needs none.
        return deepcopy(found) if copy else found

    def exists(self, aggregate_id: UUID) -> bool:
        state = self._batch
        if aggregate_id in state.overlay:
            state.slot.reads.add(aggregate_id)
            return True
        known = state.known.get(aggregate_id)
        if known is None:
            if state.discovering:
                state.misses.add(aggregate_id)
                raise _Miss
            known = state.known[aggregate_id] = super().exists(aggregate_id)
        return known

    def execute(
        self,
        ctx: Context,
        command: str,
        args: dict[str, Any],
        act: Callable[[], tuple[str, Sequence[Aggregate]]],
    ) -> Answer:
        state = self._batch
        idempotency = None
        if ctx.idempotency_key is not None:
            fp = ctx.fingerprint or fingerprint(command, args)
            idempotency = Idempotency(ctx.actor.id, ctx.idempotency_key, fp)
            earlier = state.keys.get((ctx.actor.id, ctx.idempotency_key))
            if earlier is not None:
                if earlier[0] != fp:
                    raise reused(ctx.idempotency_key)
                state.slot.same_as = earlier[1]
                return {}
        try:
            answer_id, aggregates = act()
        except Exception:
            # A retry of a command that was saved before answers as it did then.
            stored = None if idempotency is None else self.replay(idempotency)
            if stored is None:
                raise
            return stored
        touched = {a.id for a in aggregates}
        # What it read of earlier writes of the batch must still be so when it
        # is stored: if an earlier write is not, this one is decided again.
        reads = [
            (i, state.overlay[i].version)
            for i in state.slot.reads - touched
            if i in state.overlay
        ]
        write = self.prepare(ctx, answer_id, aggregates, idempotency, reads)
        number = len(state.writes)
        state.writes.append(write)
        for aggregate in aggregates:
            state.overlay[aggregate.id] = aggregate
        if idempotency is not None:
            state.keys[(idempotency.scope, idempotency.key)] = (
                idempotency.fingerprint,
                state.index,
            )
            state.keyed.append(number)
        state.slot.write = number
        return {}


class _Miss(BaseException):
    """Stops a command at an id the batch has not looked up yet (not an Exception,
    so no command's error handling can take it for its own)."""


_views: dict[type[Jaga], type[_Overlay]] = {}


def _view(app: Jaga, state: _State) -> _Overlay:
    cls = type(app)
    view_cls = _views.get(cls)
    if view_cls is None:
        view_cls = (
            _Overlay
            if cls is Jaga
            else type(f"Batch{cls.__name__}", (_Overlay, cls), {})
        )
        _views[cls] = view_cls
    view = object.__new__(view_cls)
    vars(view).update(vars(app))
    view._batch = state
    return view


def _attempt(app: Jaga, command: Command) -> Outcome:
    try:
        return command(app)
    except Exception as error:  # noqa: BLE001 - each command keeps its own error
        return error


def _answered_before(app: Jaga, state: _State) -> dict[int, Outcome]:
    """Writes whose idempotency key was answered before this batch: their answer
    (or the reuse error), looked up for the whole batch at once."""
    keys = {n: state.writes[n].idempotency for n in state.keyed}
    pairs = [(k.scope, k.key) for k in keys.values() if k is not None]
    if not pairs:
        return {}
    finder = getattr(app.log, "find_answers", None)
    if finder is not None:
        found: dict[tuple[str, str], tuple[str, Answer]] = finder(pairs)
    else:
        found = {}
        for pair in pairs:
            hit = app.log.find_answer(*pair)
            if hit is not None:
                found[pair] = hit
    out: dict[int, Outcome] = {}
    for number, k in keys.items():
        assert k is not None
        hit = found.get((k.scope, k.key))
        if hit is not None:
            out[number] = hit[1] if hit[0] == k.fingerprint else reused(k.key)
    return out


def run_batch(app: Jaga, commands: Sequence[Command]) -> list[Outcome]:
    """Runs the commands as if sent one by one, in order, saving them together.

    Answers, in order, each command's answer or the exception it raised.
    """
    known: dict[UUID, bool] = {}
    loaded: dict[UUID, Aggregate] = {}
    absent: set[UUID] = set()
    finder = getattr(app.log, "known_ids", None)
    for discovering in [True] * (DISCOVERY_PASSES if finder else 0) + [False]:
        state = _State(
            known=known, loaded=loaded, absent=absent, discovering=discovering
        )
        view = _view(app, state)
        slots: list[_Slot] = []
        outcomes: list[Outcome | None] = [None] * len(commands)
        for i, command in enumerate(commands):
            state.index, state.slot = i, _Slot()
            slots.append(state.slot)
            try:
                outcomes[i] = _attempt(view, command)
            except _Miss:
                continue
        if not state.misses and not state.load_misses:
            break
        assert finder is not None
        present = finder(list(state.misses))
        known.update({i: i in present for i in state.misses})
        for aggregate_id, aggregate in app.preload(list(state.load_misses)).items():
            if aggregate is None:
                absent.add(aggregate_id)
            else:
                loaded[aggregate_id] = aggregate
    replayed = _answered_before(app, state)
    send = [n for n in range(len(state.writes)) if n not in replayed]
    try:
        saved = dict(zip(send, app.save([state.writes[n] for n in send]), strict=True))
    except WriteNotStored as error:
        failed: WriteNotStored | None = error
    else:
        failed = None
    again: list[int] = []
    for i, slot in enumerate(slots):
        w = slot.write
        if w is None:
            continue
        if w in replayed:
            outcomes[i] = replayed[w]
            continue
        if failed is not None:
            outcomes[i] = failed  # nothing of the batch was stored
            continue
        try:
            answer = app.answer(state.writes[w], saved[w])
        except IdempotencyKeyReused as error:
            outcomes[i] = error
            continue
        if answer is None:
            again.append(i)  # decided on what changed meanwhile: decide again alone
        else:
            outcomes[i] = answer
    for i in again:
        outcomes[i] = _attempt(app, commands[i])
    for i, slot in enumerate(slots):
        if slot.same_as is not None:
            first = outcomes[slot.same_as]
            ok = isinstance(first, dict)
            outcomes[i] = first if ok else _attempt(app, commands[i])
    return [o if o is not None else RuntimeError("no outcome") for o in outcomes]


# --- commands in the batch endpoint's format: {idempotency_key, method, path, body} -

_ROUTES: list[tuple[str, str]] = [
    ("/sites", "register_site"),
    ("/sites/{site_id}/alert-level", "change_alert_level"),
    ("/sites/{site_id}/guard-requirement", "set_guard_requirement"),
    ("/sites/{site_id}/decommission", "decommission_site"),
    ("/sites/{site_id}/shifts", "start_shift"),
    ("/sites/{site_id}/shifts/{shift_id}/handover", "hand_over"),
    ("/sites/{site_id}/shifts/{shift_id}/end", "end_shift"),
    ("/sites/{site_id}/check-ins", "check_in"),
    ("/sites/{site_id}/check-outs", "check_out"),
    ("/sites/{site_id}/seals", "record_seals"),
    ("/sites/{site_id}/logistics-movements", "record_logistics_movement"),
    ("/units", "register_unit"),
    ("/personnel", "register_personnel"),
    ("/assignments", "issue_assignment"),
    ("/assignments/{assignment_id}/revoke", "revoke_assignment"),
    ("/patrols", "plan_patrol"),
    ("/patrols/{patrol_id}/start", "start_patrol"),
    ("/patrols/{patrol_id}/visits", "record_visit"),
    ("/patrols/{patrol_id}/end", "end_patrol"),
    ("/incidents", "report_incident"),
    ("/incidents/{incident_id}/acknowledge", "acknowledge_incident"),
    ("/incidents/{incident_id}/backup-requests", "request_backup"),
    ("/incidents/{incident_id}/backup-arrivals", "record_backup_arrival"),
    ("/incidents/{incident_id}/escalations", "escalate_incident"),
    ("/incidents/{incident_id}/notes", "add_incident_note"),
    ("/incidents/{incident_id}/resolve", "resolve_incident"),
    ("/incidents/{incident_id}/close", "close_incident"),
    ("/incidents/{incident_id}/reopen", "reopen_incident"),
    ("/neutrality/pledges", "record_pledge"),
    ("/neutrality/concerns", "report_concern"),
    ("/neutrality/concerns/{concern_id}/reviews", "review_concern"),
    ("/corrections", "correct_entry"),
]
ROUTES = [
    (re.compile("/api/v1" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", p) + "/?"), name)
    for p, name in _ROUTES
]
TIME_FIELDS = frozenset(
    {
        "occurred_at",
        "arrived_at",
        "departed_at",
        "starts_at",
        "ends_at",
        "device_time",
        "device_synced_at",
        "planned_start",
    }
)


def route(method: str, path: str) -> tuple[str, dict[str, str]]:
    """The command a write request names, and the ids in its path."""
    if str(method).upper() == "POST":
        for pattern, name in ROUTES:
            found = pattern.fullmatch(str(path).split("?", 1)[0])
            if found:
                return name, found.groupdict()
    raise NotFound(f"no command at {method} {path}", field="path", path=str(path))


def _times(body: dict[str, Any]) -> dict[str, Any]:
    out = dict(body)
    for key in TIME_FIELDS & out.keys():
        value = out[key]
        if isinstance(value, str):
            try:
                out[key] = datetime.fromisoformat(value)
            except ValueError:
                raise InvalidValue(key, "must be an ISO 8601 date and time") from None
    return out


def command_from(item: object, ctx: Context, fingerprint: str | None = None) -> Command:
    """One batch item as a command; bad items raise InvalidValue or NotFound.

    `ctx` is the batch's; the item's idempotency key is added, with the interface's
    fingerprint of the item if it has one (else the command fingerprints itself).
    """
    if not isinstance(item, dict):
        raise InvalidValue("command", "must be an object with method, path and body")
    body = item.get("body") or {}
    if not isinstance(body, dict):
        raise InvalidValue("body", "must be an object")
    name, ids = route(item.get("method", "POST"), item.get("path", ""))
    kwargs = {**_times(body), **ids}
    key = item.get("idempotency_key")
    if key is not None and (not isinstance(key, str) or not 0 < len(key) <= 200):
        raise InvalidValue("idempotency_key", "must be text of 1 to 200 characters")
    ctx = Context(ctx.actor, ctx.correlation_id, key, ctx.client_id, fingerprint)
    try:
        inspect.signature(getattr(Jaga, name)).bind(None, ctx, **kwargs)
    except TypeError as error:
        raise InvalidValue("body", str(error)) from None

    def run(app: Jaga) -> Answer:
        method: Callable[..., Answer] = getattr(app, name)
        return method(ctx, **kwargs)

    return run


def commands_from(items: Sequence[object], ctx: Context) -> list[Command]:
    """Batch items as commands; an item that cannot be read fails on its own."""
    out: list[Command] = []
    for item in items:
        try:
            out.append(command_from(item, ctx))
        except (InvalidValue, NotFound) as error:
            out.append(_raiser(error))
    return out


def _raiser(error: Exception) -> Command:
    def run(app: Jaga) -> Answer:
        raise error

    return run
