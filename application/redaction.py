"""What is hidden from whom: the fields a reader may be refused, one list for the
reads, the exports and the audit leaves alike."""

from __future__ import annotations

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
# Personnel ID numbers (NRP/NIP): hidden from Bawaslu everywhere.
ID_NUMBER_FIELDS = frozenset({"id_number"})
# Every field a leaf holds as a salted commitment (application/leaves.py).
PROTECTED_FIELDS = COVERT_GUARD_FIELDS | ID_NUMBER_FIELDS


def hidden_fields(role: str, covert_site: bool) -> frozenset[str]:
    """The fields of an entry a reader of this role may not see."""
    if role != "bawaslu":
        return frozenset()
    return PROTECTED_FIELDS if covert_site else ID_NUMBER_FIELDS
