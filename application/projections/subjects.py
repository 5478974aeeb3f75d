"""What each event is about: the sites, units, people, patrols and incidents it names.

The directory holds what later events need to find their subjects: a site's region
and zone, a unit's region, a person's unit, and what an incident, patrol, concern or
assignment named when it began.
"""

from __future__ import annotations

from datetime import timedelta, timezone
from typing import Any, Protocol

from application.projections.common import Doc, Record, region_key, when
from domain.evidence import referenced

ZONE_HOURS = {"WIB": 7, "WITA": 8, "WIT": 9}
OWNED = (
    "IncidentReported",
    "PatrolPlanned",
    "NeutralityConcernReported",
    "AssignmentIssued",
    "AlertRaised",
)
OWNER_KIND = {
    "IncidentReported": "incident",
    "PatrolPlanned": "patrol",
    "NeutralityConcernReported": "concern",
    "AssignmentIssued": "assignment",
    "AlertRaised": "alert",
}


class Directory(Protocol):
    def get(self, key: str) -> Doc | None: ...

    def subjects_of_event(self, event_id: str) -> list[str] | None: ...


def directory_updates(record: Record) -> dict[str, Doc]:
    """The directory entries an event creates."""
    t, d = record["type"], record["data"]
    if t == "SiteRegistered":
        # The site's own later events (alert level, requirement) carry no site_id.
        return {
            f"site:{d['site_id']}": {
                "province": d["province"],
                "regency": d["regency"],
                "timezone": d["timezone"],
            },
            f"agg:{record['aggregate_id']}": {"kind": "site", "site_id": d["site_id"]},
        }
    if t == "UnitRegistered":
        return {
            f"unit:{d['unit_id']}": {
                "province": d.get("province"),
                "regency": d.get("regency"),
            }
        }
    if t == "PersonnelRegistered":
        return {f"personnel:{d['personnel_id']}": {"unit_id": d["unit_id"]}}
    if t in OWNED:
        return {f"agg:{record['aggregate_id']}": owner_entry(t, d)}
    return {}


def owner_entry(event_type: str, d: dict[str, Any]) -> Doc:
    kind = OWNER_KIND[event_type]
    if kind == "incident":
        return {
            "kind": kind,
            "site_id": d.get("site_id"),
            "unit_ids": list(d.get("involved_unit_ids") or []),
            "personnel_ids": list(d.get("involved_personnel_ids") or []),
            "category": d.get("category"),
        }
    if kind == "patrol":
        return {
            "kind": kind,
            "site_ids": list(d.get("route") or []),
            "unit_ids": list(d.get("unit_ids") or []),
            "personnel_ids": [d["leader_id"]],
            "leader_id": d["leader_id"],
        }
    if kind == "concern":
        return {
            "kind": kind,
            "site_id": d.get("site_id"),
            "unit_ids": [u] if (u := d.get("reported_unit_id")) else [],
            "personnel_ids": [p] if (p := d.get("reported_personnel_id")) else [],
        }
    if kind == "alert":
        return {
            "kind": kind,
            "site_id": d.get("site_id"),
            "unit_ids": list(d.get("unit_ids") or []),
            "personnel_ids": [],
        }
    sites = [d["site_id"]] if d.get("site_id") else list(d.get("route") or [])
    return {
        "kind": kind,
        "site_ids": sites,
        "unit_ids": [d["unit_id"]],
        "personnel_ids": list(d.get("personnel_ids") or []),
    }


def _named(record: Record, owner: Doc | None) -> tuple[list[str], list[str], list[str]]:
    """Sites, units and people an event names, directly or through its owner."""
    t, d = record["type"], record["data"]
    sites: list[str] = []
    units: list[str] = []
    people: list[str] = []
    if d.get("site_id"):
        sites.append(d["site_id"])
    if owner is not None:
        if owner.get("site_id") and not sites:
            sites.append(owner["site_id"])
        if t != "SiteVisited":
            sites += owner.get("site_ids", [])
        units += owner.get("unit_ids", [])
        people += owner.get("personnel_ids", [])
    for field in ("unit_id", "outgoing_unit_id", "incoming_unit_id"):
        if d.get(field):
            units.append(d[field])
    units += d.get("units") or []
    if t == "PersonnelRegistered":
        people.append(d["personnel_id"])
    for field in (
        "personnel_id",
        "commander_id",
        "outgoing_commander_id",
        "incoming_commander_id",
    ):
        if d.get(field) and t != "PersonnelRegistered":
            people.append(d[field])
    for field in ("roster", "outgoing_roster", "incoming_roster", "escort_ids"):
        people += d.get(field) or []
    if t == "NeutralityPledgeRecorded" and d.get("personnel_id"):
        people.append(d["personnel_id"])
    return sites, units, people


def subjects_of(record: Record, directory: Directory) -> list[str]:
    """The keys the event is about, e.g. `site:kpu-kab-jember`, `unit:polres-jember`,
    `incident:<id>`, `region:jawa-timur/kab-jember`, `stats:jawa-timur/kab-jember/
    2024-01-03`; a correction is about what it corrects, plus `corrects:<event_id>`."""
    t = record["type"]
    if t == "EntryCorrected":
        event_id = record["data"]["event_id"]
        found = directory.subjects_of_event(event_id) or []
        changes = record["data"].get("changes") or {}
        return [*found, f"corrects:{event_id}", *_attachments(changes)]
    owner = directory.get(f"agg:{record['aggregate_id']}")
    sites, units, people = _named(record, owner)
    subjects: list[str] = []
    kind = OWNER_KIND.get(t) or (owner or {}).get("kind")
    if kind in ("incident", "patrol", "concern", "assignment", "alert"):
        subjects.append(f"{kind}:{record['aggregate_id']}")
    subjects += [f"site:{s}" for s in sites]
    subjects += [f"unit:{u}" for u in units]
    subjects += [f"personnel:{p}" for p in people]
    subjects += _regions(sites, units, people, directory)
    subjects += _stats_keys(record, sites, directory)
    subjects += _attachments(record["data"])
    return list(dict.fromkeys(subjects))


def _attachments(data: dict[str, Any]) -> list[str]:
    """`attachment:<sha256>` of each file the event names: what makes an upload
    visible, under the rules of the event that names it."""
    return [f"attachment:{a['sha256']}" for a in referenced(data)]


def _regions(
    sites: list[str], units: list[str], people: list[str], directory: Directory
) -> list[str]:
    regions: list[str] = []
    for s in sites:
        entry = directory.get(f"site:{s}")
        if entry:
            regions.append(region_key(entry["province"], entry["regency"]))
    if regions:
        # What happens at a site belongs to the site's region, whoever it names: a
        # Jember unit named at a Tuban site does not open the record to Jember.
        return regions
    for p in people:
        entry = directory.get(f"personnel:{p}")
        if entry:
            units = [*units, entry["unit_id"]]
    for u in units:
        entry = directory.get(f"unit:{u}")
        if entry and entry.get("province"):
            regions.append(region_key(entry["province"], entry.get("regency")))
    return regions


ZONES = {name: timezone(timedelta(hours=hours)) for name, hours in ZONE_HOURS.items()}


def local_date(iso_time: str, zone: str) -> str:
    moment = when(iso_time)
    assert moment is not None
    return moment.astimezone(ZONES[zone]).date().isoformat()


def _stats_keys(record: Record, sites: list[str], directory: Directory) -> list[str]:
    t = record["type"]
    if t not in ("CheckedIn", "SiteVisited", "IncidentReported") or not sites:
        return []
    entry = directory.get(f"site:{sites[0]}")
    if entry is None:
        return []
    moment = record["data"].get("arrived_at") or record["occurred_at"]
    day = local_date(moment, entry["timezone"])
    return [f"stats:{entry['province']}/{entry['regency']}/{day}"]


def regions_in(subjects: list[str]) -> list[list[str | None]]:
    """[[province, regency or None], ...] of an event's region subjects."""
    found: list[list[str | None]] = []
    for s in subjects:
        if s.startswith("region:"):
            province, _, regency = s[7:].partition("/")
            found.append([province, regency or None])
    return found


def enrich(record: Record, directory: Directory) -> Record:
    """The record with its subjects, regions and owner, as the views see it."""
    subjects = subjects_of(record, directory)
    owner = (
        None
        if record["type"] == "EntryCorrected"
        else directory.get(f"agg:{record['aggregate_id']}")
    )
    return {
        **record,
        "subjects": subjects,
        "regions": regions_in(subjects),
        "owner": owner,
    }
