"""The demo's clock and loader: each step is recorded when it would have been.

A step is recorded a few minutes after it happened, a late one hours after (a device
back from a dead zone), in the order of those times, so "as of" a moment of the
story shows what the board knew then. The whole story can be moved by whole days,
so its voting day falls on another date; a step whose time has not come yet is
not recorded.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, Protocol

from application.commands.registry import Command
from application.writes import Actor, Context

WIB = timezone(timedelta(hours=7), "WIB")
DEMO_ACTOR = Actor(id="demo", name="Jaga demo loader", role="ops")
VOTING_DAY = date(2024, 11, 27)  # Pilkada 2024, the story's voting day
ON_TIME = timedelta(minutes=2)  # from the moment to its recording, for most steps


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of the story as the reports date it (WIB)."""
    return datetime(year, month, day, hour, minute, tzinfo=WIB)


class Runs(Protocol):
    """What runs a command: the application, or the HTTP API in tests."""

    def run(self, ctx: Context, command: Command) -> dict[str, Any]: ...


class NotYet(Exception):
    """The story has not reached this step: it and the rest of its chapter wait."""


def moment_of(command: Command) -> datetime:
    """When the step happened: its own time, or the end of a visit."""
    for name in ("occurred_at", "departed_at", "arrived_at"):
        value = getattr(command, name, None)
        if isinstance(value, datetime):
            return value
    raise ValueError(f"{type(command).__name__} has no time for the demo")


@dataclass(order=True)
class _Waiting:
    recorded: datetime
    key: str
    command: Command = field(compare=False)
    actor: Actor = field(compare=False)


class Story:
    """Runs each step once, recorded at its time on the story's clock."""

    def __init__(
        self,
        app: Runs,
        voting_day: date = VOTING_DAY,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.app = app
        self.shift = timedelta(days=(voting_day - VOTING_DAY).days)
        self.voting_day = voting_day
        # The real clock: a step of the moved story later than it is not recorded.
        self.now = now
        self.clock = datetime(1970, 1, 1, tzinfo=WIB)
        self.chapter = ""
        self.index = 0
        self.steps = 0
        self.waiting: list[_Waiting] = []

    def at(
        self, year: int, month: int, day: int, hour: int, minute: int = 0
    ) -> datetime:
        """A moment of the story, moved with it."""
        return at(year, month, day, hour, minute) + self.shift

    def begin(self, chapter: str) -> None:
        self.chapter, self.index = chapter, 0

    def __call__(
        self,
        command: Command,
        *,
        late: timedelta | None = None,
        offline: timedelta | None = None,
        actor: Actor = DEMO_ACTOR,
    ) -> dict[str, Any]:
        """Records the step a couple of minutes after it happened, or `late` after.
        An `offline` one (a device in a dead zone) is kept back and recorded that
        long after, in its turn among the steps that follow; it answers nothing."""
        self.index += 1
        key = f"demo:{self.voting_day.isoformat()}:{self.chapter}:{self.index:03d}"
        if offline is not None:
            step = _Waiting(moment_of(command) + offline, key, command, actor)
            heapq.heappush(self.waiting, step)
            return {}
        recorded = moment_of(command) + (late or ON_TIME)
        self.flush(recorded)
        return self._record(key, command, recorded, actor)

    def flush(self, until: datetime | None = None) -> None:
        """Records the late steps whose time has come (all, without `until`)."""
        while self.waiting and (until is None or self.waiting[0].recorded <= until):
            step = heapq.heappop(self.waiting)
            if self.now is not None and step.recorded > self.now():
                continue  # arrives after the story's present: not yet sent
            self._record(step.key, step.command, step.recorded, step.actor)

    def _record(
        self, key: str, command: Command, recorded: datetime, actor: Actor
    ) -> dict[str, Any]:
        if self.now is not None and recorded > self.now():
            raise NotYet(key)
        # The clock never goes back: the log is in the order things were recorded.
        self.clock = max(self.clock, recorded)
        moment = self.clock
        ctx = Context(
            actor=actor,
            idempotency_key=key,
            correlation_id="demo",
            clock=lambda: moment,
        )
        self.steps += 1
        return self.app.run(ctx, command)
