"""The demo scenario, taken from the news reports in the seeds, recorded on the
clock of its story (see story.py). Every step carries an idempotency key, so
loading twice writes once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING

from application.demo import campaign, oku, rounds
from application.demo.places import register
from application.demo.story import DEMO_ACTOR, VOTING_DAY, WIB, NotYet, Runs, Story, at
from application.demo.voting_day import voting_day

if TYPE_CHECKING:
    from application.app import Jaga

__all__ = ["DEMO_ACTOR", "VOTING_DAY", "WIB", "at", "load_demo", "load_today"]


def load_demo(
    app: Runs,
    voting_day_on: date = VOTING_DAY,
    now: Callable[[], datetime] | None = None,
) -> int:
    """Loads the scenario with its voting day on `voting_day_on`; returns how many
    steps it recorded. With `now`, steps later than it wait for a later load."""
    run = Story(app, voting_day_on, now)
    try:
        register(run)
        campaign.probolinggo(run)
        campaign.tuban(run)
        campaign.jember_guard(run)
        rounds.stand_down(run)
        campaign.jember_joint_patrol(run)
        concern = oku.concern_reported(run)
        on_duty = oku.oku_guard(run)
        campaign.jember_logistics(run)
        oku.concern_reviewed(run, concern["id"])
        voting_day(run, on_duty)
    except NotYet:
        pass  # the rest of the story is later than now
    run.flush()
    return run.steps


def load_today(app: Jaga) -> int:
    """The story with its voting day today (WIB), as far as the clock has come."""
    return load_demo(app, app.clock().astimezone(WIB).date(), now=app.clock)
