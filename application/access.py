"""Who may do what: the roles' rights and the regions a key is scoped to."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from domain.errors import InvalidValue
from domain.values import slug

ROLES = ("field", "ops", "auditor", "bawaslu", "admin")
# Jaga itself (set-up, tools, what the server records on its own): no key has it.
SYSTEM_ROLE = "system"

# A region: (province slug, regency slug or None for the whole province).
Region = tuple[str, str | None]
Scope = Sequence[Region] | None

# Each right and the roles that hold it (SPEC.md's roles; API.md's sections).
RIGHTS: dict[str, frozenset[str]] = {
    # writes
    "reference.write": frozenset({"ops", "admin"}),
    "duty.write": frozenset({"field", "ops"}),
    "patrol.plan": frozenset({"ops"}),
    "patrol.write": frozenset({"field", "ops"}),
    "incident.write": frozenset({"field", "ops"}),
    "pledge.write": frozenset({"ops"}),
    "concern.write": frozenset({"field", "ops", "bawaslu"}),
    "review.write": frozenset({"bawaslu"}),
    "correction.write": frozenset({"ops"}),
    "attachment.write": frozenset({"field", "ops", "bawaslu"}),
    "batch": frozenset({"field", "ops"}),
    "alert.acknowledge": frozenset({"field", "ops"}),
    "alert.raise": frozenset(),  # Jaga's evaluator only (the system role)
    "alerts.manage": frozenset({"ops", "admin"}),  # webhook subscriptions
    "devices.enrol": frozenset({"ops", "admin"}),
    # reads
    "board.read": frozenset({"field", "ops", "auditor", "bawaslu"}),
    "gaps.read": frozenset({"ops", "auditor"}),
    "patrols.read": frozenset({"field", "ops", "auditor"}),
    "incidents.read": frozenset({"field", "ops", "auditor", "bawaslu"}),
    "timeline.read": frozenset({"field", "ops", "auditor", "bawaslu"}),
    "register.read": frozenset({"ops", "auditor", "bawaslu"}),
    "stats.read": frozenset({"ops", "auditor"}),
    "custody.read": frozenset({"ops", "auditor"}),
    "alerts.read": frozenset({"field", "ops", "auditor"}),
    "audit.read": frozenset({"auditor", "bawaslu", "admin"}),
    # An attachment is read under the rules of the events that name it.
    "attachment.read": frozenset({"field", "ops", "auditor", "bawaslu"}),
    "reports.read": frozenset({"ops", "auditor", "bawaslu"}),
    "keys.manage": frozenset({"admin"}),
    # Prometheus scrapes with a key: request counts and timings are not public.
    "metrics.read": frozenset({"ops", "admin"}),
}


def may(role: str, right: str) -> bool:
    """Whether a role holds a right; an unknown right is held by nobody."""
    return role == SYSTEM_ROLE or role in RIGHTS.get(right, frozenset())


def parse_scope(values: Iterable[str]) -> list[Region]:
    """`["jawa-timur", "jawa-timur/kab-jember"]` -> regions; bad text is refused."""
    regions: list[Region] = []
    for value in values:
        province, sep, regency = value.partition("/")
        p = slug(province, "scope")
        r = slug(regency, "scope") if sep else None
        if (p, r) not in regions:
            regions.append((p, r))
    return regions


def scope_text(scope: Scope) -> list[str]:
    return [] if scope is None else [p if r is None else f"{p}/{r}" for p, r in scope]


def within(scope: Scope, province: str | None, regency: str | None) -> bool:
    """Whether a place lies inside a key's regions; None scope is everywhere."""
    if scope is None:
        return True
    if province is None:
        return False
    return any(p == province and (r is None or r == regency) for p, r in scope)


def within_any(scope: Scope, places: Iterable[tuple[str | None, str | None]]) -> bool:
    """A thing in several places (a patrol's route) is visible if one is inside."""
    if scope is None:
        return True
    return any(within(scope, p, r) for p, r in places)


def within_all(scope: Scope, places: Iterable[tuple[str | None, str | None]]) -> bool:
    """A write that touches several places needs every one inside the scope."""
    if scope is None:
        return True
    found = list(places)
    return bool(found) and all(within(scope, p, r) for p, r in found)


def narrower(inner: Scope, outer: Scope) -> bool:
    """Whether every region of `inner` lies inside `outer` (for issuing keys)."""
    if outer is None:
        return True
    if inner is None:
        return False
    return all(
        any(p == op and (orr is None or orr == r) for op, orr in outer)
        for p, r in inner
    )


def check_role(role: object) -> str:
    if role not in ROLES:
        raise InvalidValue("role", f"must be one of {', '.join(ROLES)}")
    assert isinstance(role, str)
    return role
