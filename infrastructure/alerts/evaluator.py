"""The alert evaluator: judges the rules against the live views and the clock, and
raises or clears alerts through the ordinary write path, as Jaga itself.

Every alert of a rule and subject has a fixed id per episode (domain/alert.py), so
an evaluator that restarts, or two that judge alike, write it once: the second
write is refused and nothing repeats. What is open is read from the alerts view
and corrected by what this evaluator wrote itself, since the view may lag.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import structlog

from application.alerts.rules import Finding, judge_all
from application.alerts.thresholds import Thresholds
from application.app import Jaga
from application.commands.alerts import ClearAlert, RaiseAlert
from application.writes import SYSTEM, Context
from domain.alert import Alert, alert_id
from domain.errors import DomainError
from infrastructure.alerts.leader import Leadership
from infrastructure.views.store import ViewStore
from infrastructure.views.tables import docs_table, loads

log = structlog.get_logger("jaga.alerts")
POLL_SECONDS = 0.5
# Rules that depend on the clock alone are judged at least this often, and new
# events at most this often (each judging reads every site's board document).
CLOCK_SECONDS = 10.0
EVENTS_SECONDS = 1.0

Key = tuple[str, str]


@dataclass
class Known:
    episode: int
    open: bool


@dataclass(frozen=True)
class Snapshot:
    position: int
    sites: list[dict[str, Any]]
    incidents: list[dict[str, Any]]
    concerns: list[dict[str, Any]]
    alerts: list[dict[str, Any]]


def read_views(store: ViewStore) -> Snapshot:
    """What the rules read, from the live views in one transaction."""
    with store.transaction(commit=False) as c:
        gens = store.generations(c)
        position = store.tracked(c)

        def docs(view: str, *likes: str) -> list[dict[str, Any]]:
            sql = f"SELECT doc FROM {docs_table(view, gens[view])}"
            if likes:
                sql += " WHERE " + " OR ".join(f"doc LIKE {store.ph}" for _ in likes)
            c.execute(sql, list(likes))
            return [loads(r["doc"]) for r in c.fetchall()]

        sites = docs("board")
        incidents = docs(
            "incidents", '%"state":"reported"%', '%"state":"acknowledged"%'
        )
        people = docs("register", '%"concern_id"%')
        alerts = docs("alerts")
    concerns: dict[str, dict[str, Any]] = {}
    for doc in people:
        for concern in doc["concerns"].values():
            concerns.setdefault(concern["concern_id"], concern)
    return Snapshot(position, sites, incidents, list(concerns.values()), alerts)


class AlertEvaluator:
    """Judges and writes; `evaluate()` once, or `start()` to follow the views while
    this process leads (see Leadership)."""

    def __init__(
        self,
        app: Jaga,
        store: ViewStore,
        thresholds: Thresholds | None = None,
        leadership: Leadership | None = None,
        clock: Callable[[], datetime] | None = None,
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        self.app = app
        self.store = store
        self.thresholds = thresholds or Thresholds()
        self.leadership = leadership
        self.clock = clock or (lambda: datetime.now(UTC))
        self.poll_seconds = poll_seconds
        self.known: dict[Key, Known] = {}
        self.last_error: str | None = None
        # A drill hook: called between the writes of one evaluation.
        self.between_writes: Callable[[], None] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- one evaluation -------------------------------------------------------------

    def evaluate(self) -> dict[str, int]:
        """Raises what newly holds, clears what ended; answers how many of each."""
        snap = read_views(self.store)
        now = self.clock()
        stage = self.app.calendar.stage_at(now)
        unjudged: list[str] = []
        findings = judge_all(
            snap.sites,
            snap.incidents,
            snap.concerns,
            now,
            None if stage is None else stage.stage,
            self.thresholds,
            unjudged,
        )
        if unjudged:
            log.warning("alert rules could not judge", subjects=unjudged[:20])
        self._learn(snap.alerts)
        raised = cleared = 0
        for key, finding in findings.items():
            known = self.known.get(key)
            if known is None or not known.open:
                raised += self._raise(finding, snap.position)
        for key, known in list(self.known.items()):
            if known.open and key not in findings:
                cleared += self._clear(key, known, snap.position)
        return {"raised": raised, "cleared": cleared, "position": snap.position}

    def _learn(self, alerts: list[dict[str, Any]]) -> None:
        """What the view says is open, where it knows more than we do. A clearing
        is final: an open view of an episode we saw cleared is only late."""
        for doc in alerts:
            key = (doc["rule"], doc["subject"])
            episode, is_open = doc["episode"], doc["cleared_position"] is None
            known = self.known.get(key)
            if known is None or episode > known.episode:
                self.known[key] = Known(episode, is_open)
            elif episode == known.episode and not is_open:
                known.open = False

    def _episode(self, key: Key) -> Known:
        """The latest episode the store holds for a rule and subject (the view may
        not have it yet): walks on from what we know."""
        known = self.known.get(key) or Known(0, False)
        while True:
            following = self.app.load(alert_id(*key, known.episode + 1))
            if not isinstance(following, Alert):
                break
            known = Known(known.episode + 1, not following.cleared)
        self.known[key] = known
        return known

    def _write(self, command: Any, key: str) -> bool:
        if self.between_writes is not None:
            self.between_writes()
        ctx = Context(SYSTEM, idempotency_key=key, correlation_id="alerts")
        try:
            self.app.run(ctx, command)
        except DomainError as error:  # another evaluator wrote it first
            log.info("alert already written", key=key, error=error.code)
            return False
        return True

    def _raise(self, finding: Finding, position: int) -> int:
        known = self._episode(finding.key)
        if known.open:
            return 0
        episode = known.episode + 1
        command = RaiseAlert(
            rule=finding.rule,
            subject=finding.subject,
            episode=episode,
            reasons=finding.reasons,
            position=position,
            site_id=finding.site_id,
            unit_ids=finding.unit_ids or None,
        )
        done = self._write(command, f"alert/{finding.rule}/{finding.subject}/{episode}")
        self.known[finding.key] = Known(episode, True)
        return int(done)

    def _clear(self, key: Key, known: Known, position: int) -> int:
        ident = str(alert_id(*key, known.episode))
        done = self._write(
            ClearAlert(alert_id=ident, position=position), f"alert/{ident}/cleared"
        )
        known.open = False
        return int(done)

    # --- following ------------------------------------------------------------------

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, name="jaga-alerts", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        if self.leadership is not None:
            self.leadership.release()

    def _run(self) -> None:
        judged_at = -1
        judged_clock = 0.0
        while not self._stop.wait(self.poll_seconds):
            try:
                if self.leadership is not None and not self.leadership.hold():
                    self.known.clear()  # another leads: what we knew may be old
                    judged_at = -1
                    continue
                position = self.store.position()
                tick = time.monotonic()
                since = tick - judged_clock
                if since < EVENTS_SECONDS or (
                    position == judged_at and since < CLOCK_SECONDS
                ):
                    continue
                result = self.evaluate()
                judged_at, judged_clock = result["position"], tick
                self.last_error = None
            except Exception as error:  # keep judging; the next tick retries
                self.last_error = f"{type(error).__name__}: {error}"
                self.known.clear()
                log.error("alert evaluation failed", error=self.last_error)
                self._stop.wait(2.0)
