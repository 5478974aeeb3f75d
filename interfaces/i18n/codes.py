"""Every code the pages show as a word, by catalog context: the domain's own lists.

`python -m interfaces.i18n.update` adds each to the catalogs, and the catalog test
fails when one has no word in either language.
"""

from __future__ import annotations

import re
from pathlib import Path

from application import access
from application.projections import incidents
from domain import alert, checkin, custody, incident, neutrality, patrol, site, unit

DOMAIN = Path(__file__).resolve().parents[2] / "domain"


def event_types() -> list[str]:
    found: set[str] = set()
    for module in sorted(DOMAIN.glob("*.py")):
        found.update(re.findall(r'@event\("([A-Za-z]+)"', module.read_text()))
    return sorted(found)


def stages() -> list[str]:
    import json

    calendar = Path(__file__).resolve().parents[2] / "application" / "calendar.json"
    data = json.loads(calendar.read_text())
    return sorted({s["stage"] for e in data["elections"] for s in e["stages"]})


# Field names of events and commands, as labels on timelines and in error messages.
FIELDS = (
    "address arrived_at by category checkin_interval_minutes commander_id condition "
    "corrected_type departed_at description device_synced_at device_time direction "
    "document_ref election escort_ids evidence_refs event_id finding forwarded_to "
    "from_location headcount id_number incoming_commander_id incoming_roster "
    "incoming_shift_id incoming_unit_id involved_personnel_ids involved_unit_ids "
    "items kind lat leader_id level location lon name notes observations "
    "occurred_at outgoing_commander_id outgoing_roster outgoing_unit_id "
    "patrol_interval_minutes people_met personnel_id personnel_ids place planned_start "
    "posture province province_name rank reason recommendation reference "
    "regency regency_name reported_personnel_id reported_unit_id reporter "
    "required_guards resolution roster route seal_numbers seals_intact severity "
    "shift_id site_id starts_at ends_at status summary text timezone to_location "
    "unit_id unit_ids units method position body changes incident_id patrol_id "
    "assignment_id concern_id rule subject episode reasons note alert_id"
).split()

# Fields whose values are codes, and the catalog context that says them.
FIELD_CONTEXTS = {
    "method": "method",
    "condition": "condition",
    "status": "seal",
    "category": "category",
    "level": "alert",
    "finding": "finding",
    "direction": "direction",
    "posture": "posture",
    "kind": "kind",
    "forwarded_to": "forward",
    "role": "role",
    "rule": "alert_rule",
}

CONTEXTS: dict[str, tuple[str, ...]] = {
    "kind": site.KINDS,
    "posture": site.POSTURES,
    "alert": site.ALERT_LEVELS,
    "unit_kind": unit.UNIT_KINDS,
    "category": incident.CATEGORIES,
    "incident": tuple(dict.fromkeys([*incidents.STATUS, *incidents.STATUS.values()])),
    "patrol_kind": patrol.KINDS,
    "patrol_status": ("planned", "active", "ended"),
    "enrolment": ("waiting", "enrolled", "expired", "revoked"),
    "condition": patrol.CONDITIONS,
    "method": checkin.METHODS,
    "seal": custody.SEAL_STATUSES,
    "direction": custody.DIRECTIONS,
    "finding": neutrality.FINDINGS,
    "forward": neutrality.FORWARDS,
    "role": access.ROLES,
    "alert_rule": alert.RULES,
    "status": ("green", "amber", "red"),
    "event": tuple(event_types()),
    "stage": tuple(stages()),
    "field": tuple(sorted(set(FIELDS))),
    "month": tuple("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()),
}


def all_codes() -> list[tuple[str, str]]:
    return [(context, code) for context, codes in CONTEXTS.items() for code in codes]
