"""The alert rules: what is wrong now, judged from view documents and the clock.

Pure: each function takes documents as the views hold them and the moment, and
returns findings; the evaluator compares them with the alerts that are open.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from application.alerts.thresholds import Thresholds
from application.projections import board
from application.projections.checked import board_doc, incident_doc
from application.projections.common import Doc, iso, when
from application.projections.register import add_working_days, concern_row

CHECK_IN_CODES = ("no_check_in_for", "no_check_in_since_shift_began")
PATROL_CODES = ("no_patrol_visit_for", "no_patrol_visit_yet")


@dataclass(frozen=True)
class Finding:
    """A rule's condition holds on a subject, for these reasons."""

    rule: str
    subject: str
    reasons: list[dict[str, Any]]
    site_id: str | None = None
    unit_ids: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        return (self.rule, self.subject)


def site_findings(doc: Doc, now: datetime, stage: str | None) -> list[Finding]:
    """A site turned red; a check-in or a patrol visit overdue, by the board's rules
    in force at `now` (assignment orders, alert level, stage). A stored value the
    board cannot use is put aside, as the board does."""
    doc, _ = board_doc(doc)
    if doc["decommissioned"]:
        return []
    status, reasons = board.judge_codes(doc, now, stage)
    site_id = doc["site_id"]
    subject = f"site:{site_id}"
    found: list[Finding] = []
    if status == "red":
        found.append(Finding("site_red", subject, reasons, site_id))
    late = [r for r in reasons if r["code"] in CHECK_IN_CODES]
    if late:
        found.append(Finding("check_in_overdue", subject, late, site_id))
    unvisited = [r for r in reasons if r["code"] in PATROL_CODES]
    if unvisited:
        found.append(Finding("patrol_overdue", subject, unvisited, site_id))
    return found


def _minutes(span: timedelta) -> int:
    return int(span.total_seconds() // 60)


def incident_findings(
    doc: Doc,
    now: datetime,
    stage: str | None,
    thresholds: Thresholds,
    site_level: str | None = None,
) -> list[Finding]:
    """A severity >= 3 incident not acknowledged in time; backup asked for and not
    arrived in time. Limits by the incident's region, tightened by stage and level."""
    doc, _ = incident_doc(doc)
    if doc["state"] not in ("reported", "acknowledged"):
        return []
    province, regency = (doc.get("regions") or [[None, None]])[0]
    limits = thresholds.at(province, regency).tightened(stage, site_level)
    subject = f"incident:{doc['incident_id']}"
    site_id = doc.get("site_id")
    units = list(doc.get("involved_unit_ids") or [])
    found: list[Finding] = []
    reported = when(doc["reported_at"])
    waited = timedelta(0) if reported is None else now - reported
    if (
        doc["state"] == "reported"
        and (doc["severity"] or 0) >= 3
        and waited >= timedelta(minutes=limits.incident_minutes)
    ):
        reason = {
            "code": "unacknowledged_for",
            "severity": doc["severity"],
            "minutes": _minutes(waited),
            "limit": limits.incident_minutes,
        }
        found.append(
            Finding("incident_unacknowledged", subject, [reason], site_id, units)
        )
    asked = when(doc.get("backup_requested_at"))
    arrived = when(doc.get("backup_arrived_at"))
    if asked is not None and (arrived is None or arrived < asked):
        waiting = now - asked
        if waiting >= timedelta(minutes=limits.backup_minutes):
            reason = {
                "code": "backup_not_arrived_for",
                "minutes": _minutes(waiting),
                "limit": limits.backup_minutes,
            }
            found.append(Finding("backup_overdue", subject, [reason], site_id, units))
    return found


def concern_findings(concern: Doc, now: datetime) -> list[Finding]:
    """A neutrality concern without Bawaslu's finding whose registration or decision
    deadline is within one working day (or already passed)."""
    if concern.get("review") is not None:
        return []
    shown = concern_row(concern)
    horizon = add_working_days(now, 1)
    reasons = []
    for name in ("registration_deadline", "decision_deadline"):
        deadline = when(shown[name])
        assert deadline is not None
        if deadline <= horizon:
            reasons.append(
                {
                    "code": name,
                    "deadline": iso(deadline),
                    "passed": 1 if deadline <= now else 0,
                }
            )
    if not reasons:
        return []
    unit = concern.get("reported_unit_id")
    return [
        Finding(
            "concern_deadline",
            f"concern:{concern['concern_id']}",
            reasons,
            concern.get("site_id"),
            [unit] if unit else [],
        )
    ]


def judge_all(
    sites: Iterable[Doc],
    incidents: Iterable[Doc],
    concerns: Iterable[Doc],
    now: datetime,
    stage: str | None,
    thresholds: Thresholds,
    unjudged: list[str] | None = None,
) -> dict[tuple[str, str], Finding]:
    """Every finding at `now`, one per rule and subject. A document that cannot be
    judged at all is named in `unjudged` and the others are judged still."""
    levels: dict[str, str] = {}
    found: dict[tuple[str, str], Finding] = {}

    def judged(subject: str, findings: Callable[[], list[Finding]]) -> None:
        try:
            made = findings()
        except (KeyError, TypeError, ValueError, AttributeError):
            if unjudged is not None:
                unjudged.append(subject)
            return
        for f in made:
            found[f.key] = f

    for doc in sites:
        levels[str(doc.get("site_id"))] = doc.get("alert_level") or "normal"
        judged(f"site:{doc.get('site_id')}", partial(site_findings, doc, now, stage))
    for doc in incidents:
        level = levels.get(str(doc.get("site_id")))
        judged(
            f"incident:{doc.get('incident_id')}",
            partial(incident_findings, doc, now, stage, thresholds, level),
        )
    for concern in concerns:
        judged(
            f"concern:{concern.get('concern_id')}",
            partial(concern_findings, concern, now),
        )
    return found
