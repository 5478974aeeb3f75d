"""People and units by name and rank on pages, not by their ids."""

from __future__ import annotations

from typing import Any

from interfaces.http.deps import Caller
from interfaces.i18n import label
from interfaces.i18n.codes import FIELD_CONTEXTS as CODE_FIELDS
from interfaces.web.alert_words import reason_text

PERSON_FIELDS = frozenset(
    {
        "personnel_id",
        "personnel_ids",
        "commander_id",
        "roster",
        "incoming_commander_id",
        "incoming_roster",
        "outgoing_commander_id",
        "outgoing_roster",
        "leader_id",
        "escort_ids",
        "reported_personnel_id",
        "involved_personnel_ids",
    }
)
UNIT_FIELDS = frozenset(
    {
        "unit_id",
        "unit_ids",
        "incoming_unit_id",
        "outgoing_unit_id",
        "reported_unit_id",
        "involved_unit_ids",
        "units",
    }
)


def _ids(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def gather(value: Any, people: set[str], units: set[str]) -> None:
    """Collects the person and unit ids named anywhere in `value`."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if key in PERSON_FIELDS:
                people.update(_ids(inner))
            elif key in UNIT_FIELDS:
                units.update(_ids(inner))
            else:
                gather(inner, people, units)
    elif isinstance(value, list):
        for inner in value:
            gather(inner, people, units)


class Names:
    """Names of the people and units a page shows, read in one query."""

    def __init__(self, caller: Caller | None = None, *values: Any) -> None:
        self.people: dict[str, dict[str, Any]] = {}
        self.units: dict[str, dict[str, Any]] = {}
        if caller is None:
            return
        wanted_people: set[str] = set()
        wanted_units: set[str] = set()
        for value in values:
            gather(value, wanted_people, wanted_units)
        if not wanted_people and not wanted_units:
            return
        found = caller.request.app.state.read_model.people(
            personnel_ids=sorted(wanted_people),
            unit_ids=sorted(wanted_units),
            scope=caller.scope,
        )
        self.people = {p["personnel_id"]: p for p in found["personnel"]}
        self.units = {u["unit_id"]: u for u in found["units"]}

    def person(self, personnel_id: Any) -> str:
        """`Kompol Toha, S.H.`; the id when the person is not known here."""
        found = self.people.get(str(personnel_id))
        if not found or not found.get("name"):
            return str(personnel_id)
        rank = found.get("rank")
        return f"{rank} {found['name']}" if rank else str(found["name"])

    def unit(self, unit_id: Any) -> str:
        found = self.units.get(str(unit_id))
        return str(found["name"]) if found and found.get("name") else str(unit_id)

    def field(self, key: str, value: Any) -> Any:
        """A field's value for people: names for ids of people and units, words for
        codes."""
        if key in CODE_FIELDS and isinstance(value, str | list):
            context = CODE_FIELDS[key]
            if isinstance(value, list):
                return [label(context, v) for v in value]
            return label(context, value)
        if key == "reasons" and isinstance(value, list):  # an alert's
            return [reason_text(r) for r in value if isinstance(r, dict)]
        if key in PERSON_FIELDS:
            return (
                [self.person(v) for v in value]
                if isinstance(value, list)
                else (self.person(value) if isinstance(value, str) else value)
            )
        if key in UNIT_FIELDS:
            return (
                [self.unit(v) for v in value]
                if isinstance(value, list)
                else (self.unit(value) if isinstance(value, str) else value)
            )
        return value
