"""What is hidden from whom: the fields a reader may be refused, one list for the
reads, the exports and the audit leaves alike."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

# Who guards a covert site: Bawaslu sees headcounts there, never these.
COVERT_GUARD_FIELDS = frozenset(
    {
        "roster",
        "commander_id",
        "incoming_roster",
        "incoming_commander_id",
        "outgoing_roster",
        "outgoing_commander_id",
        "personnel_id",
        "personnel_ids",
        "escort_ids",
        "unit_id",
        "unit_ids",
        "units",
        "incoming_unit_id",
        "outgoing_unit_id",
        "leader_id",
        "involved_unit_ids",
        "involved_personnel_ids",
    }
)
# Who wrote an entry: its key's id and name, often a device named for the person
# or unit holding it. At a covert site Bawaslu sees only the role.
WRITER_FIELDS = frozenset({"actor", "by"})
# Personnel ID numbers (NRP/NIP): hidden from Bawaslu everywhere.
ID_NUMBER_FIELDS = frozenset({"id_number"})
# Every field a leaf holds as a salted commitment (application/leaves.py).
PROTECTED_FIELDS = COVERT_GUARD_FIELDS | ID_NUMBER_FIELDS
# Envelope fields a leaf holds as a salted commitment: who wrote the event, and
# the ids a device chose for it, which would link its events across sites.
PROTECTED_ENVELOPE = frozenset(
    {"actor", "client_id", "idempotency_key", "correlation_id"}
)


def hidden_fields(role: str, covert_site: bool) -> frozenset[str]:
    """The fields of an entry a reader of this role may not see."""
    if role != "bawaslu":
        return frozenset()
    if covert_site:
        return PROTECTED_FIELDS | PROTECTED_ENVELOPE
    return ID_NUMBER_FIELDS


def hide_guards(value: Any) -> Any:
    """A covert site's entry as Bawaslu reads it, at any depth: without who
    guards, patrols or was involved, and with only the role of who wrote it."""
    if isinstance(value, list):
        return [hide_guards(v) for v in value]
    if not isinstance(value, dict):
        return value
    return {
        k: {"role": v.get("role")}
        if k in WRITER_FIELDS and isinstance(v, dict)
        else hide_guards(v)
        for k, v in value.items()
        if k not in COVERT_GUARD_FIELDS
    }


def evidence_hidden(role: str, covert_site: bool) -> bool:
    """Whether a reader of this role is refused the evidence files of an entry."""
    return role == "bawaslu" and covert_site


@dataclass(frozen=True)
class AuditView:
    """What one reader of the audit log may see at each position: `covert` are the
    positions of events about a covert site, known up to `reached` (where the views
    are); an event past it counts as covert until the views say otherwise."""

    role: str
    covert: Collection[int] = ()
    reached: int = 0

    def at_covert_site(self, position: int) -> bool:
        return position in self.covert or position > self.reached

    def hidden(self, position: int) -> frozenset[str]:
        return hidden_fields(self.role, self.at_covert_site(position))

    def shows_evidence(self, position: int) -> bool:
        return not evidence_hidden(self.role, self.at_covert_site(position))


def sees_everything(role: str) -> bool:
    return not hidden_fields(role, True) and not evidence_hidden(role, True)
